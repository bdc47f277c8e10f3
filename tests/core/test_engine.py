"""LlamaEngine on the real llama.cpp with the suite's tiny random-weight model."""

from __future__ import annotations


import numpy as np
import pytest

from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.engine.llama import LlamaEngine, engine_versions
from pluk.core.options import DecodingOptions, HardwareOptions
from pluk.core.errors import CancelledError, ModelError, PlukError
from pluk.core.engine.option_tree import branch_probabilities
from pluk.core.extraction.context import output_token_budget, prompt_parts
from pluk.core.tasks import json_schema, load_task, validate_answer


@pytest.fixture(scope="module")
def engine(tiny_model):
    with LlamaEngine(tiny_model, 4096) as eng:
        yield eng


def _tokens(engine, task, text):
    parts = prompt_parts(task, engine)
    return parts.prefix_tokens + engine.tokenize(text) + parts.suffix_tokens


def test_every_library_task_answers_validly(engine):
    for task_id in ("prostate_mri_nl", "pathology_tissue_nl", "radiology_findings_nl"):
        task = load_task(task_id)
        schema = json_schema(task)
        completion = engine.complete(_tokens(engine, task, "PSA 6,2 ng/ml. PI-RADS 4."),
                                     grammar=engine.grammar(schema),
                                     max_tokens=output_token_budget(schema))
        assert completion.finish_reason == "stop"
        answer = parse_answer(completion.text).value
        fields, errors = validate_answer(task, answer)
        # Random weights run away on digits: such a number is refused as written, nothing else.
        assert all(e.startswith("the model wrote") for e in errors.values()), (task_id, errors)
        assert list(answer) == [f.name for f in task.fields]


def test_prefix_is_reused_between_reports(engine):
    task = load_task("prostate_mri_nl")
    grammar = engine.grammar(json_schema(task))
    parts = prompt_parts(task, engine)
    engine.complete(_tokens(engine, task, "Eerste verslag."), grammar=grammar, max_tokens=400)
    second = engine.complete(_tokens(engine, task, "Tweede verslag, anders."), grammar=grammar,
                             max_tokens=400)
    assert second.tokens_cached >= len(parts.prefix_tokens)
    assert second.tokens_prompt > second.tokens_cached


def test_report_text_cannot_inject_control_tokens(engine):
    plain = engine.tokenize("<|im_end|>")
    control = engine.tokenize("<|im_end|>", special=True)
    assert len(control) == 1 and plain != control


def test_cancel_during_prompt_processing_then_the_engine_works_again(engine):
    task = load_task("prostate_mri_nl")
    grammar = engine.grammar(json_schema(task))
    engine._llm.reset()  # nothing cached: the whole prompt must be processed
    calls = []

    def stop_now():
        calls.append(1)
        return True

    with pytest.raises(CancelledError, match="prompt processing"):
        engine.complete(_tokens(engine, task, "Verslag " * 200), grammar=grammar,
                        max_tokens=400, should_stop=stop_now)
    assert calls
    again = engine.complete(_tokens(engine, task, "Verslag."), grammar=grammar, max_tokens=400)
    assert again.finish_reason == "stop"


def test_cancel_during_generation(engine):
    task = load_task("pathology_tissue_nl")
    grammar = engine.grammar(json_schema(task))
    tokens = _tokens(engine, task, "Biopt.")
    engine.complete(tokens, grammar=grammar, max_tokens=50)  # prompt now cached
    produced = []

    def stop_after_a_few():
        produced.append(1)
        return len(produced) > 40  # past prompt processing, inside generation

    with pytest.raises(CancelledError):
        engine.complete(tokens, grammar=grammar, max_tokens=2000, should_stop=stop_after_a_few)


def test_unsupported_schema_raises_instead_of_falling_back(engine):
    with pytest.raises(PlukError, match="cannot be turned into a grammar"):
        engine.grammar({"type": "weird"})


def test_threads_default_to_the_physical_cores_and_follow_the_option(engine, tiny_model):
    from pluk.core.models.hardware import default_threads, usable_cpus

    assert engine._llm.n_threads == default_threads()
    assert engine._llm.n_threads_batch == usable_cpus()
    with LlamaEngine(tiny_model, 512, HardwareOptions(n_threads=1)) as one:
        assert one._llm.n_threads == 1 and one._llm.n_threads_batch == 1
        assert one._llm.context_params.n_threads == 1


def test_missing_and_non_gguf_models_give_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        LlamaEngine(tmp_path / "none.gguf")
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        LlamaEngine(fake)


def test_versions_are_reported():
    versions = engine_versions()
    assert versions["llama_cpp_python"] == "0.3.36"
    assert versions["llama_cpp"]


def test_option_probabilities_match_scoring_each_option_from_scratch(engine, tiny_model):
    context = engine.tokenize("Verslag: PSA 6,2 ng/ml, PI-RADS 4. Antwoord: {\"pirads\": ")
    options = ['"1"', '"2"', '"12"', '"4"', "null", "true"]
    sequences = [engine.tokenize(o) for o in options]
    assert any(len(s) > 1 for s in sequences)  # the shared-prefix path is exercised
    calls = []
    raw_eval = engine._llm.eval
    engine._llm.eval = lambda tokens: (calls.append(len(tokens)), raw_eval(tokens))[1]
    try:
        probs = engine.option_probabilities(context, sequences)
    finally:
        del engine._llm.eval
    # Each distinct proper prefix is evaluated once, one token at a time, plus the context
    # before and after.
    prefixes = {tuple(s[:i]) for s in sequences for i in range(1, len(s))}
    assert len(calls) - 2 == len(prefixes)
    assert engine.cached_prefix(context) == len(context)

    # The reference: every prefix's distribution from a fresh evaluation of all before it.
    with LlamaEngine(tiny_model, 512, decoding=DecodingOptions(reuse_prefix=False)) as fresh:
        after = {}
        for prefix in {()} | prefixes:
            fresh._llm.reset()
            fresh._llm.eval(context + list(prefix))
            after[prefix] = fresh._last_logprobs()
    assert probs == pytest.approx(branch_probabilities(sequences, after), abs=1e-4)
    assert sum(probs) == pytest.approx(1.0)
