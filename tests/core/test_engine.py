"""The model and the decoder on the real llama.cpp with the suite's tiny random-weight model:
every library task answers validly, tokens and facts, threads and GPU layers as asked, clear
errors for files that are no model."""

from __future__ import annotations

import pytest

from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.model import Model
from pluk.core.engine.native import engine_versions
from pluk.core.engine.protocol import ExtractRequest, GrammarSpec
from pluk.core.errors import ModelError, PlukError
from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.context import output_token_budget, prompt_parts
from pluk.core.tasks import json_schema, load_task, validate_answer
from tests.support.decoders import open_decoder


@pytest.fixture(scope="module")
def engine(tiny_model):
    with open_decoder(tiny_model) as eng:
        yield eng


def _answer(engine, task, text):
    parts = prompt_parts(task, engine)
    schema = json_schema(task)
    request = ExtractRequest(id="r", tokens=engine.tokenize(text) + parts.suffix_tokens,
                             grammar=GrammarSpec(schema_to_gbnf(schema)),
                             max_tokens=output_token_budget(schema))
    (result,) = engine.extract(engine.prepare(parts.prefix_tokens), [request])
    return parts, result


def test_every_library_task_answers_validly(engine):
    for task_id in ("prostate_mri_nl", "pathology_tissue_nl", "radiology_findings_nl"):
        task = load_task(task_id)
        _, result = _answer(engine, task, "PSA 6,2 ng/ml. PI-RADS 4.")
        assert result.finish_reason == "stop", (task_id, result.error)
        answer = parse_answer(result.text).value
        fields, errors = validate_answer(task, answer)
        # Random weights run away on digits: such a number is refused as written, nothing else.
        assert all(e.startswith("the model wrote") for e in errors.values()), (task_id, errors)
        assert list(answer) == [f.name for f in task.fields]


def test_the_prefix_is_evaluated_once_for_every_report(engine):
    task = load_task("prostate_mri_nl")
    parts, result = _answer(engine, task, "Tweede verslag, anders.")
    assert result.tokens_cached == len(parts.prefix_tokens)
    assert result.tokens_prompt > result.tokens_cached


def test_report_text_cannot_inject_control_tokens(engine):
    plain = engine.tokenize("<|im_end|>")
    control = engine.tokenize("<|im_end|>", special=True)
    assert len(control) == 1 and plain != control


def test_a_vocab_only_model_tokenizes_as_the_decoder(engine, tiny_model):
    task = load_task("prostate_mri_nl")
    with Model(tiny_model) as tokenizer:
        assert tokenizer.vocab_only
        assert prompt_parts(task, tokenizer) == prompt_parts(task, engine)
        assert tokenizer.chat_template == engine.chat_template
        assert tokenizer.count_tokens("PSA 6,2 ng/ml.") == engine.count_tokens("PSA 6,2 ng/ml.")


def test_a_grammar_the_matcher_refuses_is_refused_with_a_reason(engine):
    with pytest.raises(PlukError, match="grammar cannot be read.*missing-rule"):
        engine.grammar("root ::= missing-rule\n")


def test_threads_default_to_the_machines_choice_and_follow_the_options(engine, tiny_model):
    from pluk.core.extraction.decoder_choice import decoder_options
    from pluk.core.models.hardware import default_batch_threads, default_threads
    from pluk.core.options import HardwareOptions, RunOptions

    chosen = decoder_options(RunOptions(), 512)
    assert chosen.n_threads is None and chosen.n_threads_batch is None and chosen.parallel == 1
    with open_decoder(tiny_model, 512, n_threads=None, n_threads_batch=None) as default:
        assert (default.n_threads, default.n_threads_batch) == (default_threads(),
                                                                 default_batch_threads())
    asked = decoder_options(RunOptions(hardware=HardwareOptions(
        n_threads=1, n_threads_batch=2, parallel=3)), 512)
    with open_decoder(tiny_model, 512, **asked.model_dump(
            include={"n_threads", "n_threads_batch", "parallel"})) as one:
        facts = one.facts()
        assert (facts.n_threads, facts.n_threads_batch, facts.parallel) == (1, 2, 3)
        assert facts.n_ctx == 512 and facts.versions == engine_versions()


def test_gpu_layers_reach_the_model_parameters(tiny_model, monkeypatch):
    import llama_cpp

    from pluk.core.engine import native

    seen = []
    real = llama_cpp.llama_model_load_from_file

    def load(path, params):
        seen.append((params.n_gpu_layers, params.vocab_only))
        return real(path, params)

    monkeypatch.setattr(native.llama_cpp, "llama_model_load_from_file", load)
    with open_decoder(tiny_model, 512, n_gpu_layers=7):
        pass
    assert (7, False) in seen


def test_missing_and_non_gguf_models_give_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Model(tmp_path / "none.gguf")
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        Model(fake)


def test_versions_are_reported():
    versions = engine_versions()
    assert versions["llama_cpp_python"] == "0.3.36"
    assert versions["llama_cpp"]
