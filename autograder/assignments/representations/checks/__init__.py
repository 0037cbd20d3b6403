"""The hidden checks of the representations assignment: pytest tests run by the grader on probe answers, never released."""
