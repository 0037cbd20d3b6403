"""The hidden checks of Homework 2: pytest tests run by the grader on probe answers, never released."""
