"""The engine: one owner of one llama.cpp model, and the constraints it decodes under.

`protocol` says what an extraction asks of an engine; `decoder` is Pluk's own (several reports
at once over llama.cpp's batch API, masks by llguidance, decisions read as they are made) on
`model` (a model file's vocabulary and chat facts, vocab-only for planning) and `native`
(llama.cpp's objects); `keeper` keeps a decoder loaded between runs; `server` answers through an
OpenAI-compatible server instead. `grammar` writes the GBNF grammar of a task's answer,
`answer_guard` steers decoding away from repeats and misread decimals, `option_tree` scores
answer options where their tokens branch. Readers, tasks and runs never import this package.
"""
