"""lesson_lib: the vectorized NumPy core of the course "How a neural network learns to classify".

Notation everywhere: z weighted input, a activation, y target, delta error term (dC/dz).
Arrays hold one example per row: a batch of n examples is shaped (n, features).

This package is the core: it computes, and imports neither matplotlib nor ipywidgets. The
figures, explorers, training panel and digit pad are in the sub-package ``lesson_lib.ui``,
which imports the core (``from lesson_lib import ui``).
"""

from . import descent, exercises, inspection, normalizations
from .activations import (ACTIVATIONS, HIDDEN_ACTIVATIONS, activation_at, identity, identity_prime, log_softmax, relu,
                          relu_prime, sigmoid, sigmoid_prime, softmax, softmax_jacobian, tanh, tanh_prime)
from .data import MnistFileError, load_mnist
from .gradient_check import check_network_gradients, numerical_gradient, rel_error
from .i18n import language, set_language
from .information import compare_distributions, cross_entropy, entropy, kl_divergence
from .losses import (LOSSES, CrossEntropyLoss, LogLikelihoodLoss, Loss, QuadraticLoss, get_loss,
                     softmax_loss_and_gradient)
from .network import Network
from .neuron import NeuronRun, train_neuron
from .runs import TrainingSettings, describe_run, run_settings
from .targets import one_hot, predicted_classes
from .training import (SGD, AccuracyProbe, Check, DivergenceStop, EvaluateTrainingSet, GradientMonitor, GradientNote, History, Hook,
                       PrintEpochs, TrainingDiverged, TrainingState, evaluate, standard_hooks, summarize_notes, train)

__version__ = "0.1.0"

__all__ = [
    "descent", "exercises", "inspection", "normalizations",
    "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "activation_at", "identity", "identity_prime", "log_softmax", "relu", "relu_prime", "sigmoid", "sigmoid_prime",
    "softmax", "softmax_jacobian", "tanh", "tanh_prime",
    "MnistFileError", "load_mnist", "one_hot", "predicted_classes",
    "check_network_gradients", "numerical_gradient", "rel_error",
    "language", "set_language",
    "compare_distributions", "cross_entropy", "entropy", "kl_divergence",
    "LOSSES", "CrossEntropyLoss", "LogLikelihoodLoss", "Loss", "QuadraticLoss", "get_loss", "softmax_loss_and_gradient",
    "Network", "NeuronRun", "train_neuron", "TrainingSettings", "describe_run", "run_settings",
    "SGD", "AccuracyProbe", "Check", "DivergenceStop", "EvaluateTrainingSet", "GradientMonitor", "GradientNote", "History", "Hook",
    "PrintEpochs", "TrainingDiverged", "TrainingState", "evaluate", "standard_hooks", "summarize_notes", "train",
]
