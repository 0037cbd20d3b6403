"""Gradescope: the autograder zip (``bundle``) and what its run_autograder does for each submission (``run``)."""
