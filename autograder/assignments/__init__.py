"""One grading folder per assignment id (see autograder/engine/assignment.py for what each holds)."""

DEFAULT = "hw2"  # graded by `make grade` with no arguments, and the engine's tests' example
