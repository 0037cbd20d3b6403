"""Course tooling: offline data, release, reference training and grading of every assignment (see README.md)."""
