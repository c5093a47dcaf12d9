"""A class of students: a variant of a problem each (variants), the class answer table (table),
and the roster (roster).  See docs/variants.md."""
