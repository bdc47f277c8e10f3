"""Reports longer than the context (issue 17, item 1): split into overlapping sections on the
model's own token counts, each section answered, the answers merged into one record.

The splitting and merging rules are checked on plain data; the run on the real llama.cpp with
the tiny model (structure: one record per report, resume, stop, --long-reports); the content on
SmolLM2 in tests/core/test_real_long_reports.py."""

from __future__ import annotations

import pytest

from pluk.core.engine.model import Model
from pluk.core.extraction.loop import run_extraction
from pluk.core.extraction.section_merge import merge_sections
from pluk.core.extraction.sections import split_sections
from pluk.core.options import ContextOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Evidence, Record, Section
from pluk.core.tasks.loader import parse_task
from tests.support.decoders import open_decoder
from tests.support.records import answered


def words(text: str) -> int:
    return len(text.split())


def _paragraphs(n: int, sentences: int, words_each: int = 6) -> str:
    return "\n\n".join(" ".join(" ".join(f"p{p}s{s}w{w}" for w in range(words_each)) + "."
                                for s in range(sentences)) for p in range(n))


def test_sections_cover_the_text_fit_overlap_and_end_at_paragraphs():
    text = _paragraphs(12, 5)  # paragraphs of 30 words
    sections = split_sections(text, room=100, count=words, overlap=15)
    assert len(sections) > 3
    assert sections[0].start == 0 and sections[-1].end == len(text)
    for section in sections:
        assert section.tokens == words(text[section.start:section.end]) <= 100
    for before, after in zip(sections, sections[1:]):
        assert before.start < after.start < before.end  # overlapping, always moving on
        repeated = text[after.start:before.end]
        assert 0 < words(repeated) <= 15 and repeated.rstrip().endswith(".")
        # Every section but the last ends at a paragraph's end (one lies in its second half).
        assert text[:before.end].endswith("\n\n")


def test_a_paragraph_longer_than_a_section_is_cut_at_sentences_then_words():
    text = " ".join(f"woord{i}" for i in range(50)) + ". " + "Kort. " * 30
    sections = split_sections(text, room=20, count=words, overlap=4)
    assert all(s.tokens <= 20 for s in sections)
    assert sections[-1].end == len(text)
    joined = set()
    for s in sections:
        joined |= set(text[s.start:s.end].split())
    assert joined == set(text.split())  # nothing lost at any cut


def test_one_word_longer_than_a_section_is_cut_by_characters():
    def chars(text: str) -> int:
        return len(text)

    text = "x" * 95
    sections = split_sections(text, room=10, count=chars, overlap=0)
    assert "".join(text[s.start:s.end] for s in sections) == text
    assert all(s.tokens <= 10 for s in sections)


def test_split_on_the_models_own_tokens(tiny_model):
    text = _paragraphs(20, 4)
    with Model(tiny_model) as model:
        sections = split_sections(text, room=120, count=model.count_tokens)
        assert len(sections) >= 3
        for s in sections:
            assert model.count_tokens(text[s.start:s.end]) == s.tokens <= 120


# -- merging ----------------------------------------------------------------------------------

def _task(merge: str = "first"):
    return parse_task({
        "id": "merge", "title": "Merge", "description": "d", "section_merge": merge,
        "fields": [
            {"name": "psa", "type": "float", "optional": True},
            {"name": "epe", "type": "bool", "optional": True},
            {"name": "findings", "type": "list", "max_items": 3,
             "items": {"type": "string", "max_length": 40}},
            {"name": "side", "type": "enum", "values": ["left", "right"], "optional": True,
             "merge": "last"}]}, "memory")


def _section(fields, *, grounded=(), probabilities=None, **extra) -> Record:
    evidence = {name: Evidence(quote="x", start=0, end=1, status="exact") if name in grounded
                else Evidence(quote="", start=0, end=0, status="not_found") for name in fields}
    return Record(id="r", source="s", sha256="h", status="ok", fields=fields, evidence=evidence,
                  probabilities=probabilities or {}, raw="{}", tokens_prompt=10,
                  tokens_output=5, seconds=1.0, **extra)


def _merge(task, records):
    text = "PSA 7,3. Geen extraprostatische uitbreiding. Links."
    report = Report.from_text(id="r", source="s", format="txt", text=text)
    sections = [Section(start=0, end=len(text), tokens=5) for _ in records]
    return merge_sections(task, report, records, sections, report_tokens=12, room=5,
                          overlap=1, warnings=["split note"])


def test_merge_prefers_a_value_found_in_its_section_then_the_rule():
    records = [
        _section({"psa": 0.0, "epe": False, "findings": ["a", "b"], "side": "left"}),
        _section({"psa": 7.3, "epe": None, "findings": ["b", "c"], "side": "left"},
                 grounded={"psa", "side"}),
        _section({"psa": 9.1, "epe": True, "findings": ["c", "d"], "side": "right"},
                 grounded={"psa", "epe", "side"}),
    ]
    first = _merge(_task("first"), records)
    assert first.fields["psa"] == 7.3  # the ungrounded 0.0 of section 1 loses
    assert first.fields["epe"] is True  # grounded in section 3 only
    assert first.fields["side"] == "right"  # the field's own rule: last
    assert first.split.sources == {"psa": 1, "epe": 2, "side": 2}
    assert any("psa: the sections disagree; kept 7.3 (section 2" in w and "9.1 (section 3)" in w
               for w in first.warnings)
    # Lists: joined in order, each item once, cut at max_items with a warning.
    assert first.fields["findings"] == ["a", "b", "c"]
    assert any("findings: the sections gave 4 distinct items" in w for w in first.warnings)
    last = _merge(_task("last"), records)
    assert last.fields["psa"] == 9.1
    assert first.status == last.status == "ok"
    assert first.tokens_prompt == 30 and first.seconds == 3.0
    assert first.warnings[0] == "split note"


def test_merge_probable_takes_the_most_probable_option():
    records = [
        _section({"psa": None, "epe": True, "findings": [], "side": None}, grounded={"epe"},
                 probabilities={"epe": {"true": 0.6, "false": 0.3, "null": 0.1}}),
        _section({"psa": None, "epe": False, "findings": [], "side": None}, grounded={"epe"},
                 probabilities={"epe": {"true": 0.05, "false": 0.9, "null": 0.05}}),
    ]
    merged = _merge(_task("probable"), records)
    assert merged.fields["epe"] is False
    assert merged.probabilities["epe"]["false"] == 0.9
    assert merged.fields["psa"] is None and merged.fields["findings"] == []


def test_merge_keeps_a_null_with_the_reason_and_an_all_failed_report_is_an_error():
    bad = Record(id="r", source="s", sha256="h", status="invalid",
                 fields={"psa": None, "epe": None, "findings": None, "side": None},
                 field_errors={n: "not JSON" for n in ("psa", "epe", "findings", "side")},
                 raw="{")
    good = _section({"psa": 4.0, "epe": None, "findings": ["a"], "side": None})
    merged = _merge(_task(), [bad, good])
    assert merged.fields["psa"] == 4.0 and merged.fields["findings"] == ["a"]
    assert merged.status == "invalid" and merged.field_errors["epe"] == "not JSON (section 1)"
    failed = Record(id="r", source="s", sha256="h", status="error", error="engine down")
    assert _merge(_task(), [failed, failed]).status == "error"


# -- in a run ---------------------------------------------------------------------------------

LONG = "\n\n".join(
    f"Alinea {p}. De prostaat is normaal van aspect en er zijn geen afwijkingen gezien in "
    f"segment {p}. Het onderzoek verliep zonder bijzonderheden." for p in range(30))
# A short prompt: the tiny model's vocabulary spends about a token per character.
SMALL_TASK = {"id": "psa_small", "title": "PSA", "description": "PSA.", "fields": [
    {"name": "psa", "type": "float", "optional": True, "minimum": 0, "maximum": 100},
    {"name": "epe", "type": "bool", "optional": True}]}


def _reports():
    return [Report.from_text(id="short", source="m", format="txt", text="PSA 5 ng/ml."),
            Report.from_text(id="long", source="m", format="txt", text=LONG + "\n\nPSA 7,3."),
            Report.from_text(id="after", source="m", format="txt", text="PSA 6.")]


@pytest.fixture(scope="module")
def small(tiny_model):
    with open_decoder(tiny_model, 2048) as engine:
        yield engine


def test_a_long_report_is_read_in_sections_into_one_record(small):
    task = parse_task(SMALL_TASK, "memory")  # says nothing of too_long: split
    records = list(run_extraction(task, _reports(), small))
    assert [r.id for r in records] == ["short", "long", "after"]
    long = records[1]
    assert answered(long), long.error
    assert long.split is not None and len(long.split.sections) >= 3
    assert long.split.report_tokens > small.n_ctx
    assert long.split.sections[0].start == 0 and long.split.sections[-1].end == len(
        _reports()[1].text)
    assert all(s.tokens <= long.split.room for s in long.split.sections)
    assert long.raw.count("[section ") == len(long.split.sections)
    assert any("overlapping sections" in w for w in long.warnings)
    assert records[0].split is None and records[2].split is None
    # Every section's prompt and answer is counted once.
    assert long.tokens_prompt > long.split.report_tokens


def test_long_reports_option_overrides_the_task(small):
    task = parse_task(SMALL_TASK, "memory")
    error = RunOptions(context=ContextOptions(long_reports="error"))
    records = list(run_extraction(task, _reports(), small, error))
    assert records[1].status == "error" and "--long-reports split" in records[1].error
    cut = RunOptions(context=ContextOptions(long_reports="truncate"))
    records = list(run_extraction(task, _reports(), small, cut))
    assert answered(records[1]) and records[1].split is None
    assert any("truncated" in w for w in records[1].warnings)


def test_parallel_sections_give_the_same_record(tiny_model, small):
    task = parse_task(SMALL_TASK, "memory")
    one = list(run_extraction(task, _reports(), small))
    with open_decoder(tiny_model, 2048, parallel=3) as wide:
        many = sorted(run_extraction(task, _reports(), wide), key=lambda r: r.input_index)
    assert [r.id for r in many] == ["short", "long", "after"]
    assert [r.fields for r in many] == [r.fields for r in one]
    assert many[1].split.sections == one[1].split.sections


def test_a_stop_inside_a_split_report_leaves_no_record_and_resume_completes_it(small):
    task = parse_task(SMALL_TASK, "memory")
    seen: list[Record] = []
    prompts: list[str] = []

    def progress(p) -> None:
        if p.current_id == "long" and p.phase == "prompt":
            prompts.append(p.current_id)

    def stop() -> bool:  # once the long report's second section has begun
        return len(prompts) >= 2

    for record in run_extraction(task, _reports(), small, should_stop=stop,
                                 on_progress=progress):
        seen.append(record)
    assert [r.id for r in seen] == ["short"]
    rest = list(run_extraction(task, _reports(), small,
                               skip=lambda r: r.id in {s.id for s in seen}))
    assert [r.id for r in rest] == ["long", "after"] and rest[0].split is not None
