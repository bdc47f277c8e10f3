"""Extraction: a task and reports in, one validated record per report out.

`job` is the one orchestrator of every job (extract, DRAGON, self-test): model facts, run
folder, context plan, engine, records, exports. `prompt` and `chat_template` render the
prompt, `context` fits the prompt, report and answer into n_ctx, `loop` runs the reports one by
one, `answer_parse` reads the model's JSON with the position of every value, `scoring` turns
the model's choices into option probabilities, `fewshot` chooses worked examples.
"""
