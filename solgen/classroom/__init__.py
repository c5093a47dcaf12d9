"""Classroom tools built on the answer key: a variant of a problem per student (variants), the
class answer table (table), the roster (roster), and grading students' answers (grading/).
See docs/variants.md and docs/grading.md."""
