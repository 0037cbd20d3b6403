"""Course tooling for Homework 2: offline data, release, reference training and grading."""
