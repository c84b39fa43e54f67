"""nbgrader (0.9) for this course: the learners' version of each exercise sheet, made from the solutions.

In an nbgrader course folder, put each solutions notebook in source/ASSIGNMENT/ (for example
source/lesson03/03_cross_entropy.ipynb, copied from notebooks/solutions/), copy this file next to source/, and run
`nbgrader generate_assignment lesson03`. release/lesson03/ then holds the sheet a learner gets:

- each answer region (the code between the course's BEGIN SOLUTION and END SOLUTION lines) becomes
  "# YOUR CODE HERE / raise NotImplementedError()", as the course's own build does (nbgrader's default
  markers are found inside the course's lines: nbgrader looks for the words, whatever comes before them);
- the cells tagged "solution" (written answers and answer code) are removed: nbgrader itself reads only its
  own cell metadata, not tags, so nbconvert's TagRemovePreprocessor runs first;
- the course's cells carry no nbgrader metadata, so nbgrader must not insist on it (enforce_metadata).

INSTRUCTORS.md ("nbgrader") says what was checked and what nbgrader's grading would still need.
"""

from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.converters.generate_assignment import GenerateAssignment

c = get_config()  # noqa: F821  (nbgrader's config loader defines get_config)
c.CourseDirectory.course_id = "nn-course"
c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, *GenerateAssignment.class_traits()["preprocessors"].default()]
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"solution"}
c.ClearSolutions.enforce_metadata = False
