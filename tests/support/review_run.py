"""A finished run folder made without a model, for review, evidence and export tests: the
labelled English MRI reports written as .txt inputs, one record per report holding its labels
(a few changed, failed or given low probabilities, so an uncertain-first order has something to
sort), with evidence found in the text as a run would find it."""

from __future__ import annotations

from pathlib import Path

from pluk.core.extraction.evidence import find_evidence
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task, task_sha256
from tests.support.english_mri import labels, reports

TASK_ID = "prostate_mri_nl"


def make_review_run(root: Path, n: int = 6) -> tuple[Path, list[Record]]:
    """A run folder under root/run over the first n English MRI reports (root/reports)."""
    task = load_task(TASK_ID)
    inputs = root / "reports"
    inputs.mkdir(parents=True)
    chosen = reports()[:n]
    for report in chosen:
        (inputs / f"{report.id}.txt").write_text(report.text, encoding="utf-8")
    manifest = RunManifest(model=ModelFacts(path="/nowhere/model.gguf", sha256="0" * 64,
                                            size_bytes=1),
                           task=task.model_dump(mode="json"), task_sha256=task_sha256(task),
                           inputs=[str(inputs)], status="finished")
    folder = RunFolder.start(root / "run", manifest, resume=False)
    truth = labels()
    records = []
    for index, report in enumerate(chosen):
        fields = {**{spec.name: None for spec in task.fields}, **truth[report.id],
                  "suspicious_lesion_count": 1}
        extra: dict = {}
        if index == 1:
            fields["psa"] = 99.5  # written nowhere in the report: ungrounded
        if index == 2:
            extra["probabilities"] = {"highest_pirads": {"1": 0.05, "2": 0.05, "3": 0.3,
                                                         "4": 0.3, "5": 0.3}}
            fields["highest_pirads"] = "4"
        status = "ok"
        errors: dict = {}
        if index == 3:
            fields["prostate_volume"] = None
            errors = {"prostate_volume": "the model wrote 5000, above the maximum 1000"}
            status = "invalid"
        # Report ids as a folder run gives them: the file's name.
        record = Record(id=f"{report.id}.txt", source=str(inputs / f"{report.id}.txt"),
                        sha256=report.sha256, status=status, fields=fields,
                        field_errors=errors, raw="{}",
                        evidence=find_evidence(task, fields, report.text), **extra)
        folder.append(record)
        records.append(record)
    return folder.path, records
