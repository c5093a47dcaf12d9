"""Classroom tools built on the answer key: variants of a problem, and grading students' answers."""
