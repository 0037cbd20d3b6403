"""Adapters between the grader and the platforms a course collects the homework on."""
