"""The engine: one owner of one llama.cpp model, and the constraints it decodes under.

`llama` runs the model in-process (tokenize, constrained completion, option probabilities),
`grammar` writes the GBNF grammar of a task's answer, `answer_guard` steers decoding away from
repeats and misread decimals, `option_tree` scores answer options where their tokens branch.
Readers, tasks and runs never import this package.
"""
