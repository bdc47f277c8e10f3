"""Exports a run folder in any format, the one way `pluk export` and the window's export dialog
do it: the task as the run's manifest recorded it, the run's reviews when it has any, and for
HTML the report texts, read again from the run's inputs and matched by sha256. The HTML of a
pseudonymised run shows the texts pseudonymised again (deduce is deterministic), with the
evidence placed on them, unless the user asks for the report text (`report_text`).

A run made before evidence existed gets it here, for the HTML page only: the records in the run
folder are never changed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pluk.core.errors import PlukError, storage_error
from pluk.core.extraction.evidence import find_evidence
from pluk.core.privacy.pseudonymise import pseudonymise
from pluk.core.privacy.runs import forward_evidence
from pluk.core.readers import read_inputs
from pluk.core.runs import export
from pluk.core.runs.edc_export import EDC_FORMATS, write_edc
from pluk.core.runs.folder import MANIFEST, RECORDS, RunFolder
from pluk.core.runs.lock import LOCK_FILE, PID_FILE
from pluk.core.runs.html_export import write_html
from pluk.core.runs.records import Record
from pluk.core.runs.review_columns import Reviewed
from pluk.core.runs.reviews import REVIEWS
from pluk.core.tasks import TaskDefinition
from pluk.core.tasks.loader import parse_task

FORMATS = (*export.FORMATS, "html", *EDC_FORMATS)
log = logging.getLogger(__name__)
# What a run folder holds of its own: an export written over one of these would destroy the
# run (later exports of 0 rows, a lost review trail). The exports beside them (results.*) may
# be written again.
RUN_OWNED = (MANIFEST, RECORDS, REVIEWS, LOCK_FILE, PID_FILE)


def check_target(run_dir: str | Path, path: str | Path) -> None:
    """PlukError when `path` is (or links to) a file the run folder owns."""
    folder, target = Path(run_dir).resolve(), Path(path)
    resolved = target.resolve()
    for name in RUN_OWNED:
        owned = folder / name
        same = resolved == owned
        if not same and target.exists() and owned.exists():
            try:
                same = os.path.samefile(target, owned)  # a hard link, or a link resolve missed
            except OSError:
                same = False
        if same:
            raise PlukError(f"Cannot export to {target}: that is the run's own {name}, and "
                            "writing over it would destroy the run; choose another file, for "
                            f"example {folder / ('results' + target.suffix)}")


def report_texts(inputs: list[str], records: list[Record]) -> dict[str, str]:
    """The texts of the records' reports by sha256, from the inputs that still exist; a text
    whose file changed since the run has another sha256 and is not found."""
    wanted = {r.sha256 for r in records}
    existing = [p for p in inputs if Path(p).exists()]
    if not existing:
        return {}
    try:
        reports = read_inputs(existing)
    except PlukError as exc:
        log.warning("the run's inputs could not be read again: %s", exc)
        return {}
    return {r.sha256: r.text for r in reports if r.text is not None and r.sha256 in wanted}


def with_evidence(task: TaskDefinition, records: list[Record], texts: dict[str, str]
                  ) -> list[Record]:
    """Records of an older run with the evidence they lack, where their text is at hand."""
    out = []
    for record in records:
        text = texts.get(record.sha256)
        if not record.evidence and record.fields and record.status != "error" and text:
            record = record.model_copy(update={"evidence": find_evidence(task, record.fields,
                                                                         text)})
        out.append(record)
    return out


def _pseudonymised(records: list[Record], texts: dict[str, str]
                   ) -> tuple[list[Record], dict[str, str]]:
    """The records with their evidence on the pseudonymised texts, and those texts."""
    done = {sha: pseudonymise(text) for sha, text in texts.items()}
    moved = [r.model_copy(update={"evidence": forward_evidence(r.evidence, done[r.sha256])})
             if r.sha256 in done else r for r in records]
    return moved, {sha: d.text for sha, d in done.items()}


def export_run(run_dir: str | Path, path: str | Path, fmt: str, *, delimiter: str = ",",
               nested: export.Nested = "flatten", reviewed_only: bool = False,
               inputs: list[str] | None = None, decimal: str = ".",
               booleans: tuple[str, str] = ("yes", "no"),
               notes: list[str] | None = None, report_text: bool = False,
               language: str = "en") -> tuple[Path, int]:
    """Write the run's export; returns the file and how many records (rows) it holds. An HTML
    page's own words are in `language` (en, nl).
    `inputs` replaces the manifest's inputs for finding report texts (HTML only); `decimal`
    and `booleans` are the CSV's decimal mark and yes/no words. REDCap and Castor imports
    (redcap, castor) use the mapping of the run's task; `notes` gains what they left out."""
    if fmt not in FORMATS:
        raise PlukError(f"Unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
    check_target(run_dir, path)
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    # The task as it was when the run was made, not as the library holds it today.
    task = parse_task(manifest.task, str(folder.manifest_path))
    records = folder.records()
    reviewed = Reviewed.of_run(folder.path, records, only=reviewed_only)
    if not reviewed_only and not reviewed.latest:
        reviewed = None  # a run nobody reviewed exports exactly as before
    shown = len(records) if reviewed is None or not reviewed.only else len(
        {rid for rid, _ in reviewed.latest})
    texts = (report_texts(list(inputs if inputs is not None else manifest.inputs), records)
             if fmt == "html" else {})
    try:  # a full disk or a read-only folder is one sentence, for the CLI and the dialog
        if fmt in EDC_FORMATS:
            return write_edc(path, task, records, fmt, reviewed=reviewed, notes=notes)
        if fmt == "html":
            shown_records = with_evidence(task, records, texts)
            if manifest.options.get("pseudonymisation", {}).get("on") and not report_text:
                shown_records, texts = _pseudonymised(shown_records, texts)
            written = write_html(path, task, shown_records, texts,
                                 title=f"{task.title_in(language)} · {folder.path.name}",
                                 reviewed=reviewed, language=language)
        else:
            written = export.export(path, fmt, task, records, delimiter=delimiter,
                                    nested=nested, reviewed=reviewed, decimal=decimal,
                                    booleans=booleans)
    except OSError as exc:
        raise storage_error(exc, f"cannot write {path}") from None
    return written, shown
