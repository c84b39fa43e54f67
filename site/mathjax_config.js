// MathJax 4's configuration for the course's site: the font from the site itself (not a CDN), and the
// MathJax 2 call the widget library still makes when it typesets a widget's label (MathJax.Hub.Queue),
// answered with MathJax 4's typesetPromise. Sphinx has already set window.MathJax to myst-parser's options
// (which elements hold math): they are kept.
window.MathJax = Object.assign(window.MathJax || {}, {
  loader: {
    // [mathjax] is the folder of tex-mml-chtml.js (_static/mathjax); the font sits beside it
    paths: { fonts: "[mathjax]/../mathjax-fonts" },
  },
  startup: {
    ready() {
      MathJax.startup.defaultReady();
      MathJax.Hub = {
        Queue(...calls) {
          const elements = calls.filter((call) => Array.isArray(call) && call[0] === "Typeset").map((call) => call[2]);
          return MathJax.startup.promise.then(() => MathJax.typesetPromise(elements.filter(Boolean)));
        },
      };
    },
  },
});
