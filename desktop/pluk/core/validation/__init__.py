"""Validation: a run's answers against the user's own labels.

`truth` reads the label table, `metrics` computes accuracy, kappa, F1 and MAE with bootstrap
confidence intervals, `evaluate` joins a run with its labels field by field, `report` writes
validation.md and validation.json. Sits above extraction and runs; never imports DRAGON.
"""
