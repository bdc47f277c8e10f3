"""Issue 29, second round of state defects: HTML exports that write one file at once, task text
that holds Pluk's own report marker, duplicate ids that must never take a real id, and the task
README's string limit."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from pluk.core.extraction import context
from pluk.core.extraction.context import prompt_parts
from pluk.core.models.random_model import CHATML_TEMPLATE
from pluk.core.readers.ids import make_unique
from pluk.core.readers.reports import Report
from pluk.core.runs.html_export import write_html
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task
from pluk.core.tasks.definition import Example, StringField
from pluk.core.tasks.loader import parse_task

REPO = Path(__file__).resolve().parents[2]


# -- item 19: concurrent HTML exports to one file ----------------------------------------------

def test_concurrent_html_exports_to_one_file_all_succeed_and_leave_no_temporary_file(tmp_path):
    # All writers used one fixed temporary name: one renamed it away under another, which then
    # failed with FileNotFoundError (2 of 6 trials in the review).
    task = load_task("prostate_mri_nl")
    text = "MRI prostaat. PSA 9,7 ng/ml. " * 2000  # a large page keeps the writes overlapping
    records = [Record(id=f"r{i}", source="s", sha256=f"{i:064d}", status="ok",
                      fields={"psa": 9.7}) for i in range(40)]
    texts = {r.sha256: text for r in records}
    target = tmp_path / "results.html"
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def export() -> None:
        start.wait()
        for _ in range(4):
            try:
                write_html(target, task, records, texts)
            except BaseException as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)

    workers = [threading.Thread(target=export) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == ["results.html"]
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")


# -- item 21: the report marker in task text ---------------------------------------------------

class _Tokenizer:
    """What prompt_parts reads of a model, with one token per character."""

    model_path = Path("chatml.gguf")
    chat_template = CHATML_TEMPLATE
    bos_text = ""
    eos_text = ""

    def tokenize_prompt(self, prefix: str, report: str, suffix: str) -> list[int]:
        return [ord(c) for c in prefix + report + suffix]

    def count_tokens(self, text: str) -> int:
        return len(text)


def _task_with_instructions(instructions: str):
    data = load_task("prostate_mri_nl").model_dump(mode="json")
    data["instructions"] = instructions
    return parse_task(data, "marker.json")


def test_task_text_holding_the_report_marker_cannot_move_the_report_into_the_instructions():
    marker = context._SENTINEL
    task = _task_with_instructions(f"Read carefully.{marker}Then answer in JSON.")
    parts = prompt_parts(task, _Tokenizer())
    prompt = parts.prefix + "THE REPORT" + parts.suffix
    system, user = prompt.split("<|im_start|>user\n", 1)
    # The instructions stay whole in the system message; the report is in the user message.
    assert "Read carefully." in system and "Then answer in JSON." in system
    assert "THE REPORT" not in system
    assert user.startswith("Report:\nTHE REPORT")
    assert "\x00" not in prompt  # no part of the marker reaches the model


def test_the_marker_is_made_of_what_task_text_cannot_bring():
    # prompt.py keeps NUL characters out of the fixed part of the prompt; the marker must hold
    # one, or task text could spell it again.
    assert "\x00" in context._SENTINEL


def test_a_marker_in_the_description_or_a_few_shot_example_is_harmless_too():
    marker = context._SENTINEL
    data = load_task("prostate_mri_nl").model_dump(mode="json")
    data["description"] = f"Prostate MRI{marker}reports"
    task = parse_task(data, "marker.json")
    example = Example(text=f"PSA 5.{marker}Volume 30 cc.", answer={"psa": 5.0})
    parts = prompt_parts(task, _Tokenizer(), examples=[example])
    assert "Prostate MRIPLUK-REPORTreports" in parts.prefix
    assert "PSA 5.PLUK-REPORTVolume 30 cc." in parts.prefix
    assert parts.prefix.endswith("<|im_start|>user\nReport:\n")
    assert "Prostate" not in parts.suffix and "PSA" not in parts.suffix


# -- item 23: duplicate ids never take a real id -----------------------------------------------

def _rep(id_: str) -> Report:
    return Report.from_text(id=id_, source="s", format="txt", text=f"text of {id_}")


def test_a_renamed_duplicate_never_takes_an_id_another_report_really_has():
    out = make_unique([("t.csv", [_rep("1"), _rep("1"), _rep("1#2")])])
    ids = [r.id for r in out]
    assert len(set(ids)) == 3
    # The report whose own id is "1#2" keeps it, so a label for "1#2" joins the right row.
    by_id = {r.id: r for r in out}
    assert by_id["1#2"].text == "text of 1#2" and by_id["1#2"].warnings == []
    assert by_id["1"].text == "text of 1" and by_id["1"].warnings == []
    renamed = [r for r in out if r.id not in ("1", "1#2")]
    assert renamed[0].text == "text of 1" and renamed[0].warnings


def test_a_prefixed_rename_never_takes_a_later_inputs_real_id():
    out = make_unique([("a", [_rep("17")]), ("t.json", [_rep("17")]),
                       ("b", [_rep("t.json/17")])])
    by_id = {r.id: r for r in out}
    assert len(by_id) == 3
    assert by_id["t.json/17"].text == "text of t.json/17" and by_id["t.json/17"].warnings == []


# -- item 23: the README's string limit is the loader's -----------------------------------------

def test_the_readme_gives_the_loaders_limits_for_string_max_length():
    limits = StringField.model_fields["max_length"].metadata
    low = next(m.ge for m in limits if getattr(m, "ge", None) is not None)
    high = next(m.le for m in limits if getattr(m, "le", None) is not None)
    readme = (REPO / "tasks" / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `string` |"))
    assert re.search(rf"\b{low}–{high}\b", row), row
