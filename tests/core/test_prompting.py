"""Prompt rendering with real chat templates: the instructions and the report always reach the
model, a template that refuses a system message gets them in the user message, and a broken,
hostile or endless template is one clear error line naming the model, within a time limit."""

from __future__ import annotations

import hashlib
import json
import sys
import time

import pytest
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from pluk.cli import main
from pluk.core.extraction.chat_template import FALLBACK_TEMPLATE, RENDER_TIME_LIMIT_S
from pluk.core.engine.model import Model
from pluk.core.errors import ChatTemplateError, PlukError
from pluk.core.extraction.job import run_job
from pluk.core.options import ContextOptions, DecodingOptions, RunOptions
from pluk.core.extraction.prompt import (
    PromptRenderer, field_guide, messages_for, prompt_template_facts, system_prompt,
)
from pluk.core.models.random_model import CHATML_TEMPLATE, build_random_gguf
from pluk.core.readers.reports import Report
from pluk.core.tasks import load_task
from pluk.core.tasks.loader import parse_task

REPORT = "MRI prostaat. PSA 9,7 ng/ml. Volume 41 cc. PI-RADS 4 laesie perifere zone links."

# Gemma 3's instruction-tuned template (google/gemma-3-*-it, tokenizer_config.json), which
# moves the system message into the first user turn itself. The Gemma 3 270M GGUF the tests
# use is the base model and carries no template, so the text is written out here.
GEMMA3_TEMPLATE = (
    "{{ bos_token }}\n"
    "{%- if messages[0]['role'] == 'system' -%}\n"
    "    {%- if messages[0]['content'] is string -%}\n"
    "        {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}\n"
    "    {%- else -%}\n"
    "        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\n\n' -%}\n"
    "    {%- endif -%}\n"
    "    {%- set loop_messages = messages[1:] -%}\n"
    "{%- else -%}\n"
    "    {%- set first_user_prefix = \"\" -%}\n"
    "    {%- set loop_messages = messages -%}\n"
    "{%- endif -%}\n"
    "{%- for message in loop_messages -%}\n"
    "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}\n"
    "        {{ raise_exception(\"Conversation roles must alternate "
    "user/assistant/user/assistant/...\") }}\n"
    "    {%- endif -%}\n"
    "    {%- if (message['role'] == 'assistant') -%}\n"
    "        {%- set role = \"model\" -%}\n"
    "    {%- else -%}\n"
    "        {%- set role = message['role'] -%}\n"
    "    {%- endif -%}\n"
    "    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else \"\") }}\n"
    "    {%- if message['content'] is string -%}\n"
    "        {{ message['content'] | trim }}\n"
    "    {%- elif message['content'] is iterable -%}\n"
    "        {%- for item in message['content'] -%}\n"
    "            {%- if item['type'] == 'image' -%}\n"
    "                {{ '<start_of_image>' }}\n"
    "            {%- elif item['type'] == 'text' -%}\n"
    "                {{ item['text'] | trim }}\n"
    "            {%- endif -%}\n"
    "        {%- endfor -%}\n"
    "    {%- else -%}\n"
    "        {{ raise_exception(\"Invalid content type\") }}\n"
    "    {%- endif -%}\n"
    "    {{ '<end_of_turn>\n' }}\n"
    "{%- endfor -%}\n"
    "{%- if add_generation_prompt -%}\n"
    "    {{'<start_of_turn>model\n'}}\n"
    "{%- endif -%}\n"
)

# Mistral-7B-Instruct v0.1's template (v0.2's has the same role check): no system role.
MISTRAL_V01_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}"
    "{% endif %}{% endfor %}"
)

# A template that says nothing and silently drops every system message.
DROPS_SYSTEM_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}"
    "<user>{{ message['content'] }}</user>{% endif %}{% endfor %}<bot>"
)


@pytest.fixture(scope="module")
def task():
    return load_task("prostate_mri_nl")


@pytest.fixture(scope="module")
def messages(task):
    return messages_for(task, REPORT)


def _model_template(path) -> tuple[str | None, str, str]:
    """The template and special-token texts exactly as the pipeline gets them (through llama.cpp;
    gguf.GGUFReader gives the same text but parses all 262k Gemma tokens, ~40 s here)."""
    engine = Model(path)
    try:
        return engine.chat_template, engine.bos_text, engine.eos_text
    finally:
        engine.close()


def _old_render(template: str, bos: str, eos: str, messages) -> str:
    """The render before this module: llama-cpp-python's own formatter."""
    return Jinja2ChatFormatter(template=template, bos_token=bos, eos_token=eos,
                               add_generation_prompt=True)(messages=messages).prompt


def _assert_one_line_naming(exc: PlukError, name: str) -> str:
    text = str(exc)
    assert isinstance(exc, ChatTemplateError)
    assert text.startswith(f"The chat template of {name} cannot be used: ")
    assert "\n" not in text and "Traceback" not in text and 'File "' not in text
    return text


# -- what the prompt says ---------------------------------------------------------------------

EVERY_TYPE = {
    "id": "every_type", "title": "Every field type", "description": "A field of each type.",
    "language": "nl", "instructions": "Noteer alleen wat er staat.",
    "fields": [
        {"name": "malignant", "type": "bool", "description": "Kwaadaardig."},
        {"name": "lesions", "type": "int", "minimum": 0, "maximum": 1000,
         "description": "Aantal laesies."},
        {"name": "psa", "type": "float", "unit": "ng/mL", "optional": True},
        {"name": "site", "type": "string", "max_length": 40},
        {"name": "side", "type": "enum", "values": ["links", "rechts", "café"]},
        {"name": "tags", "type": "list", "max_items": 5, "items": {"type": "string"}},
        {"name": "tumour", "type": "object", "description": "De grootste tumor.", "fields": [
            {"name": "size", "type": "float", "unit": "mm"},
            {"name": "grade", "type": "int", "optional": True}]},
        {"name": "nodes", "type": "list", "max_items": 3, "items": {"type": "object", "fields": [
            {"name": "station", "type": "string", "max_length": 10}]}},
    ],
    "examples": [{"text": "PSA 4,1. Laesie links, café.", "answer": {
        "malignant": True, "lesions": 1, "psa": 4.1, "site": "prostaat", "side": "café",
        "tags": [], "tumour": {"size": 5.0, "grade": None}, "nodes": []}}],
}


@pytest.fixture(scope="module")
def every_type():
    return parse_task(EVERY_TYPE, "every_type.json")


def test_the_field_guide_names_every_field_in_order_with_its_type_and_meaning(every_type):
    assert field_guide(every_type).splitlines() == [
        "- malignant (true or false): Kwaadaardig.",
        "- lesions (whole number): Aantal laesies.",
        "- psa (number, in ng/mL; null if not stated)",
        "- site (text, at most 40 characters)",
        '- side (one of "links", "rechts", "café")',
        "- tags (list of at most 5 items, each text, at most 200 characters)",
        "- tumour (object with the fields below): De grootste tumor.",
        "    - size (number, in mm)",
        "    - grade (whole number; null if not stated)",
        "- nodes (list of at most 3 items, each object with the fields below)",
        "    - station (text, at most 10 characters)",
    ]
    # A number's bounds stay out: a small model copies them as its answer.
    assert "1000" not in field_guide(every_type)


def test_the_system_prompt_holds_rules_task_language_instructions_guide_and_examples_in_order(
        every_type):
    prompt = system_prompt(every_type, every_type.examples)
    pieces = ["Reply with one JSON object", "Task: Every field type\nA field of each type.",
              "The reports are written in Dutch", "Noteer alleen wat er staat.",
              "Field guide:\n" + field_guide(every_type),
              "Example 1\nReport:\nPSA 4,1. Laesie links, café.\nAnswer:\n"
              + json.dumps(EVERY_TYPE["examples"][0]["answer"], ensure_ascii=False)]
    positions = [prompt.find(piece) for piece in pieces]
    assert -1 not in positions, [p for p, at in zip(pieces, positions) if at == -1]
    assert positions == sorted(positions)
    assert "never guess" in prompt and "null" in prompt
    # Without examples or instructions, neither leaves a trace.
    plain = parse_task({**EVERY_TYPE, "instructions": "", "examples": []}, "plain.json")
    assert "Example" not in system_prompt(plain) and "Noteer" not in system_prompt(plain)
    assert system_prompt(plain).endswith(field_guide(plain))


@pytest.mark.parametrize("code, named", [("nl", "Dutch"), ("en", "English"), ("de", "German"),
                                         ("fr", "French"), ("sv", "sv")])
def test_the_prompt_names_the_reports_language(every_type, code, named):
    task = every_type.model_copy(update={"language": code})
    assert (f"The reports are written in {named}; keep quoted text in the report's language."
            in system_prompt(task))


def test_the_report_comes_last_and_alone_so_the_prefix_is_shared(every_type):
    first = messages_for(every_type, "Verslag één.", every_type.examples)
    second = messages_for(every_type, "Verslag twee.", every_type.examples)
    assert [m["role"] for m in first] == ["system", "user"]
    assert first[0] == second[0] == {"role": "system",
                                     "content": system_prompt(every_type, every_type.examples)}
    assert first[1] == {"role": "user", "content": "Report:\nVerslag één."}
    assert "Verslag" not in first[0]["content"]


# -- real templates -----------------------------------------------------------------------------

@pytest.mark.real_model
def test_smollm2_chatml_template_renders_instructions_and_report(smollm2_model, task, messages):
    template, bos, eos = _model_template(smollm2_model)
    assert template and "<|im_start|>" in template
    renderer = PromptRenderer(template, bos, eos)
    prompt = renderer.render(messages)
    assert f"<|im_start|>system\n{system_prompt(task)}<|im_end|>" in prompt
    assert REPORT in prompt and prompt.endswith("<|im_start|>assistant\n")
    assert prompt == _old_render(template, bos, eos, messages)
    facts = renderer.facts
    assert facts.source == "model" and not facts.system_folded
    assert facts.sha256 == hashlib.sha256(template.encode()).hexdigest()


@pytest.mark.real_model
def test_gemma3_base_model_has_no_template_and_gets_the_fallback(gemma3_model, task, messages):
    template, bos, eos = _model_template(gemma3_model)
    assert template is None and bos == "<bos>"
    renderer = PromptRenderer(template, bos, eos)
    prompt = renderer.render(messages)
    assert system_prompt(task) in prompt and REPORT in prompt
    assert prompt == _old_render(FALLBACK_TEMPLATE, bos, eos, messages)
    assert renderer.facts.source == "fallback"
    assert renderer.facts.sha256 == hashlib.sha256(FALLBACK_TEMPLATE.encode()).hexdigest()


def test_gemma3_template_puts_the_system_text_in_the_first_user_turn_itself(task, messages):
    renderer = PromptRenderer(GEMMA3_TEMPLATE, "<bos>", "<eos>")
    prompt = renderer.render(messages)
    assert prompt.startswith(f"<bos><start_of_turn>user\n{system_prompt(task)}\n\nReport:\n")
    assert REPORT in prompt and prompt.endswith("<start_of_turn>model\n")
    assert prompt == _old_render(GEMMA3_TEMPLATE, "<bos>", "<eos>", messages)
    assert not renderer.facts.system_folded  # the template did it, not Pluk


def test_the_tiny_model_renders_exactly_as_before(tiny_model, task):
    template, bos, eos = _model_template(tiny_model)
    assert template == CHATML_TEMPLATE
    examples = [task.examples[0]] if task.examples else None
    for msgs in (messages_for(task, REPORT), messages_for(task, REPORT, examples)):
        assert PromptRenderer(template, bos, eos).render(msgs) == _old_render(template, bos,
                                                                              eos, msgs)


# -- templates that refuse a system message ---------------------------------------------------

def test_mistral_v01_refusal_folds_the_instructions_into_the_user_message(task, messages):
    renderer = PromptRenderer(MISTRAL_V01_TEMPLATE, "<s>", "</s>", model_name="mistral.gguf")
    prompt = renderer.render(messages)
    assert prompt == f"<s>[INST] {system_prompt(task)}\n\nReport:\n{REPORT} [/INST]"
    assert renderer.facts.system_folded and renderer.facts.source == "model"
    # Without the fold the template itself refuses, as with llama-cpp-python's formatter.
    with pytest.raises(ValueError, match="roles must alternate"):
        _old_render(MISTRAL_V01_TEMPLATE, "<s>", "</s>", messages)


def test_a_template_that_drops_the_system_message_gets_it_in_the_user_message(task, messages):
    renderer = PromptRenderer(DROPS_SYSTEM_TEMPLATE)
    prompt = renderer.render(messages)
    assert prompt.startswith(f"<user>{system_prompt(task)}\n\nReport:\n{REPORT}</user>")
    assert renderer.facts.system_folded


def test_a_template_that_refuses_even_the_folded_messages_is_one_line(messages):
    refuses_all = "{{ raise_exception('Only the Klingon role is supported') }}"
    with pytest.raises(PlukError) as caught:
        PromptRenderer(refuses_all, model_name="klingon.gguf").render(messages)
    text = _assert_one_line_naming(caught.value, "klingon.gguf")
    assert "Klingon role" in text


# -- templates that cannot be used ------------------------------------------------------------

@pytest.mark.parametrize("template, reason", [
    ("{% for message in messages %}{{ message['content'] }", "syntax error on line 1"),
    ("{% if messages %}\n{{ messages[0]['content'] }}\n{% endfor %}", "syntax error on line 3"),
    ("{{ ''.__class__.__mro__ }}{{ messages[0]['content'] }}", "sandbox refused it"),
    ("{{ messages.append(1) }}", "sandbox refused it"),
    ("{{ 'x' * 10000000000 }}", "sandbox refused it"),
    ("{{ 7 ** 100000000 }}", "sandbox refused it"),
    ("{{ messages[0]['content'] | nosuchfilter }}", "syntax error"),
])
def test_a_broken_or_hostile_template_is_one_line_naming_the_model(template, reason, messages):
    with pytest.raises(PlukError) as caught:
        PromptRenderer(template, model_name="odd-model.Q4_K_M.gguf").render(messages)
    assert reason in _assert_one_line_naming(caught.value, "odd-model.Q4_K_M.gguf")


def test_a_looping_template_stops_at_the_time_limit(messages):
    looping = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
               "{% endfor %}{{ messages[0]['content'] }}")
    before = sys.gettrace()
    started = time.monotonic()
    with pytest.raises(PlukError) as caught:
        PromptRenderer(looping, model_name="slow.gguf").render(messages)
    elapsed = time.monotonic() - started
    text = _assert_one_line_naming(caught.value, "slow.gguf")
    assert f"longer than {RENDER_TIME_LIMIT_S:g} seconds" in text
    # Loose on purpose: the suite runs on a loaded 2-core machine. Unguarded, it runs for hours.
    assert elapsed < 10 * RENDER_TIME_LIMIT_S
    assert sys.gettrace() is before  # a debugger's or coverage's tracer is put back


# -- the manifest -----------------------------------------------------------------------------

def _run(model, tmp_path, task):
    reports = [Report.from_text(id="r1", source="mem", format="txt", text=REPORT)]
    run_job(task, reports, model, tmp_path / "run",
            RunOptions(context=ContextOptions(ctx_cap=2048),
                       decoding=DecodingOptions(probabilities=False)))
    return json.loads((tmp_path / "run" / "manifest.json").read_text())


def test_the_manifest_records_the_template_and_its_sha256(tmp_path, tiny_model, task):
    manifest = _run(tiny_model, tmp_path, task)
    assert manifest["status"] == "finished"
    assert manifest["chat_template"] == {
        "source": "model", "system_folded": False,
        "sha256": hashlib.sha256(CHATML_TEMPLATE.encode()).hexdigest()}


def test_the_manifest_says_the_instructions_were_folded(tmp_path, task):
    model = build_random_gguf(tmp_path / "mistral-like.gguf", chat_template=MISTRAL_V01_TEMPLATE)
    manifest = _run(model, tmp_path, task)
    assert manifest["status"] == "finished" and manifest["counts"]["total"] == 1
    assert manifest["chat_template"]["system_folded"] is True
    assert manifest["chat_template"]["sha256"] == hashlib.sha256(
        MISTRAL_V01_TEMPLATE.encode()).hexdigest()
    assert prompt_template_facts(task, MISTRAL_V01_TEMPLATE).system_folded


def test_the_cli_names_the_model_of_a_broken_template_in_one_line(tmp_path, capsys):
    model = build_random_gguf(tmp_path / "broken-template.gguf",
                              chat_template="{% for message in messages %}")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT)
    code = main(["extract", "--task", "prostate_mri_nl", "--input", str(folder),
                 "--model", str(model), "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("pluk: error:")]
    assert errors == ["pluk: error: The chat template of broken-template.gguf cannot be used: "
                      "syntax error on line 1: Unexpected end of template. Jinja was looking "
                      "for the following tags: 'endfor' or 'else'. The innermost block that "
                      "needs to be closed is 'for'."]
