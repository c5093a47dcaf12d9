"""``solgen grade``: find a student's first wrong step and credit what follows from it.

sheet (the answerable steps of a spec, in the order of the working, with the key), answers
(reading CSV/TOML/JSON submissions), working (recomputing a step from the student's own
values), mistakes (the registry of known mistakes, each recomputed *with* the mistake),
grade (one submission -> marks), run (specs and files -> graded submissions), report
(gradebook.csv and the feedback pages).
"""
