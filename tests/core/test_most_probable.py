"""No option probability contradicts its answer (issue 23, item 3).

The path that allowed it: the decoder takes the most probable next token, and the option that
greedy path spells need not be the most probable option once every written form of each option
is counted (PI-RADS 2 bare 0.35; a quote 0.45 that then splits "1" 0.25 / "2" 0.20: the decoder
writes "1", total 0.25, while 2 holds 0.55). The record keeps the most probable option and says
what was written. The real-model tier (test_real_models.py) holds the invariant on SmolLM2,
Gemma 3 and the Qwen2 vocabulary; here the rule itself, on answers with the probabilities a
split like that gives."""

from __future__ import annotations

import json

from pluk.core.extraction.loop import answer_record
from pluk.core.readers.reports import Report
from pluk.core.tasks.loader import parse_task

TASK = parse_task({
    "id": "t", "title": "t", "description": "d",
    "fields": [
        {"name": "pirads", "type": "enum", "values": ["1", "2", "3", "4", "5"]},
        {"name": "epe", "type": "bool", "optional": True},
        {"name": "psa", "type": "float"},
    ]}, "t.json")
REPORT = Report(id="r", source="r.txt", format="txt",
                text="PI-RADS 2 lesion. No extraprostatic extension. PSA 8.6.", sha256="0" * 64)


def _record(answer: dict, probabilities: dict):
    return answer_record(TASK, REPORT, json.dumps(answer), finish_reason="stop",
                         tokens_prompt=1, tokens_cached=0, tokens_output=1, warnings=[],
                         limits={"token_limit": 100, "time_limit_s": 10.0}, started=0.0,
                         probabilities=lambda _parsed: probabilities)


def _agree(record) -> None:
    for name, options in record.probabilities.items():
        value = record.fields[name]
        key = "null" if value is None else (str(value).lower() if name == "epe" else value)
        assert max(options, key=options.get) == key, (name, options, value)


def test_the_split_quote_case_keeps_the_most_probable_option_and_says_so():
    pirads = {"1": 0.25, "2": 0.55, "3": 0.1, "4": 0.05, "5": 0.05}
    record = _record({"pirads": "1", "epe": False, "psa": 8.6},
                     {"pirads": pirads, "epe": {"true": 0.1, "false": 0.8, "null": 0.1}})
    assert record.fields["pirads"] == "2"
    _agree(record)
    (warning,) = [w for w in record.warnings if w.startswith("pirads:")]
    assert "wrote 1" in warning and "2 is kept" in warning and "0.55" in warning
    assert record.evidence["pirads"].status == "exact"  # grounded as the kept value
    assert record.status == "ok" and '"pirads": "1"' in record.raw  # the raw stays as written


def test_a_bool_and_null_follow_their_probabilities_too():
    record = _record({"pirads": "2", "epe": None, "psa": 8.6},
                     {"pirads": {"1": 0.1, "2": 0.9, "3": 0, "4": 0, "5": 0},
                      "epe": {"true": 0.2, "false": 0.5, "null": 0.3}})
    assert record.fields["epe"] is False
    _agree(record)
    record = _record({"pirads": "2", "epe": True, "psa": 8.6},
                     {"pirads": {"1": 0.1, "2": 0.9, "3": 0, "4": 0, "5": 0},
                      "epe": {"true": 0.2, "false": 0.2, "null": 0.6}})
    assert record.fields["epe"] is None
    _agree(record)


def test_an_answer_that_is_the_most_probable_or_tied_is_left_alone():
    record = _record({"pirads": "3", "epe": True, "psa": 8.6},
                     {"pirads": {"1": 0.0, "2": 0.4, "3": 0.4, "4": 0.1, "5": 0.1},
                      "epe": {"true": 0.7, "false": 0.2, "null": 0.1}})
    assert record.fields["pirads"] == "3" and record.fields["epe"] is True
    assert not any("more probable" in w for w in record.warnings)
