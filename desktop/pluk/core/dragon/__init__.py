"""DRAGON benchmark support: the task registry, the official metrics and the scoring of
prediction folders, re-implemented from the definitions in docs/dragon.md and following the
official scorer, dragon_eval 0.2.11, also on degenerate inputs (docs/dragon-scoring.md).

Modules: `errors` (DragonError), `metrics` (pure metric functions), `tasks` (the task registry),
`scoring` (one task's values in, one score out), `evaluate` (folders in, the metrics dict out),
`ner_align` (entity texts to token tags), `folders` (task folders read: test reports, training
examples), `predict` (a run's records to the predictions file) and `run` (task folders in, runs
out, through the same run_job as `pluk extract`). The imports go one way: run -> predict ->
folders.
"""

from pluk.core.dragon.errors import DragonError

__all__ = ["DragonError"]
