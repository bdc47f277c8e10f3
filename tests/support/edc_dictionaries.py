"""Data dictionaries the suite writes: a REDCap project with two forms and every REDCap field
type Pluk maps or skips, and a Castor study structure with its option groups, plus a few short
English pathology reports for a real extraction over them."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import task_sha256

REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
]

# (variable, form, section, type, label, choices, note, validation, min, max, identifier,
#  branching)
REDCAP_ROWS = [
    ("record_id", "demographics", "", "text", "Record ID", "", "", "", "", "", "", ""),
    ("age", "demographics", "Patient", "text", "Age at diagnosis", "", "years", "integer",
     "18", "110", "", ""),
    ("sex", "demographics", "", "radio", "Sex", "1, Male | 2, Female", "", "", "", "", "", ""),
    ("diagnosis_date", "demographics", "", "text", "Date of diagnosis", "", "", "date_dmy", "",
     "", "y", ""),
    ("smoker", "demographics", "", "yesno", "Current smoker", "", "", "", "", "", "", ""),
    ("history", "demographics", "", "notes", "Relevant <i>history</i>", "", "Free text", "", "",
     "", "", ""),
    ("bmi", "demographics", "", "calc", "BMI", "[weight]/([height]*[height])", "", "", "", "",
     "", ""),
    ("intro", "pathology", "", "descriptive", "<b>Pathology</b> findings", "", "", "", "", "",
     "", ""),
    ("psa", "pathology", "Laboratory", "text", "PSA", "", "ng/mL", "number", "0", "1000", "",
     ""),
    ("gleason", "pathology", "", "dropdown", "Gleason grade group",
     "1, GG1 | 2, GG2 | 3, GG3 | 4, GG4 | 5, GG5", "", "", "", "", "", ""),
    ("biopsy_date", "pathology", "", "text", "Biopsy date", "", "", "date_ymd", "", "", "", ""),
    ("report_date", "pathology", "", "text", "Report date", "", "", "date_mdy", "", "", "", ""),
    ("sites", "pathology", "", "checkbox", "Biopsy sites with cancer",
     "1, Left lobe | 2, Right lobe | 3, Apex | 99, Other", "", "", "", "", "",
     "[gleason] <> ''"),
    ("margin", "pathology", "", "truefalse", "Surgical margin positive", "", "", "", "", "", "",
     ""),
    ("tumour_type", "pathology", "", "text", "Tumour type", "", "", "", "", "", "", ""),
    ("signature", "pathology", "", "file", "Pathologist's signature", "", "", "signature", "",
     "", "", ""),
    ("slide_scan", "pathology", "", "file", "Slide scan", "", "", "", "", "", "", ""),
]


def write_redcap(path: Path, rows: list[tuple] | None = None,
                 header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header or REDCAP_HEADER)
        for row in REDCAP_ROWS if rows is None else rows:
            writer.writerow(list(row) + [""] * (len(REDCAP_HEADER) - len(row)))
    return path


CASTOR_HEADER = ["Study ID", "Form Type", "Form Collection ID", "Form Collection Name",
                 "Form Collection Order", "Form ID", "Form Name", "Form Order", "Field ID",
                 "Field Variable Name", "Field Label", "Field Type", "Field Required",
                 "Field Option Group", "Field Order"]
# (form type, visit, form, variable, label, type, option group)
CASTOR_ROWS = [
    ("Study", "Baseline", "Pathology", "pat_psa", "PSA (ng/mL)", "numeric", ""),
    ("Study", "Baseline", "Pathology", "pat_gleason", "Gleason grade group", "radio", "OG1"),
    ("Study", "Baseline", "Pathology", "pat_sites", "Sites with cancer", "checkbox", "OG2"),
    ("Study", "Baseline", "Pathology", "pat_date", "Biopsy date", "date", ""),
    ("Study", "Baseline", "Pathology", "pat_type", "Tumour type", "string", ""),
    ("Study", "Baseline", "Pathology", "pat_notes", "Notes", "textarea", ""),
    ("Study", "Baseline", "Pathology", "pat_year", "Year of diagnosis", "year", ""),
    ("Study", "Baseline", "Pathology", "pat_score", "Risk score", "calculation", ""),
    ("Study", "Baseline", "Pathology", "", "Please check the report", "remark", ""),
    ("Report", "Adverse events", "AE", "ae_term", "Adverse event", "string", ""),
]
CASTOR_OPTIONS = [("OG1", "Gleason", "GG1", "1"), ("OG1", "Gleason", "GG2", "2"),
                  ("OG1", "Gleason", "GG3", "3"), ("OG2", "Sites", "Left lobe", "1"),
                  ("OG2", "Sites", "Right lobe", "2"), ("OG2", "Sites", "Apex, base", "3")]


def write_castor(folder: Path, rows: list[tuple] | None = None) -> tuple[Path, Path]:
    """The structure and option groups files, semicolon-separated as Castor writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    structure, options = folder / "structure.csv", folder / "optiongroups.csv"
    with structure.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(CASTOR_HEADER)
        for n, (kind, visit, form, var, label, ftype, group) in enumerate(
                CASTOR_ROWS if rows is None else rows):
            writer.writerow(["S1", kind, "V1", visit, "1", "F1", form, "1", f"id{n}", var,
                             label, ftype, "0", group, str(n)])
    with options.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Option Group Id", "Option Group Name", "Option Id", "Option Name",
                         "Option Value", "Option Order"])
        for n, (gid, name, label, value) in enumerate(CASTOR_OPTIONS):
            writer.writerow([gid, name, f"o{n}", label, value, str(n)])
    return structure, options


REPORTS = {
    "patient_a": ("Pathology report. Male patient, 67 years old, current smoker. Diagnosis "
                  "on 03-02-2024. Prostate biopsy taken 2024-01-28. PSA 8.4 ng/mL. "
                  "Adenocarcinoma, Gleason grade group 2, in the left lobe and the apex. "
                  "Surgical margin not involved."),
    "patient_b": ("Report dated 2024-05-10. Female patient aged 54, non-smoker. PSA not "
                  "applicable. Tumour type: ductal carcinoma. Margin positive."),
    "patient_c": ("Biopsy of the right lobe on 2023-11-02: acinar adenocarcinoma, Gleason "
                  "grade group 4. PSA 15 ng/mL. Patient is 72."),
}


def write_reports(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in REPORTS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def make_run(root: Path, task, values: list[dict | None]) -> Path:
    """A finished run folder (root/run) of `task` without a model: one record per values dict,
    an error record for None."""
    manifest = RunManifest(model=ModelFacts(path="/nowhere/m.gguf", sha256="0" * 64,
                                            size_bytes=1),
                           task=task.model_dump(mode="json"), task_sha256=task_sha256(task),
                           inputs=[], status="finished")
    folder = RunFolder.start(root / "run", manifest, resume=False)
    for n, fields in enumerate(values):
        folder.append(Record(id=f"rep{n}.txt", source=f"rep{n}.txt",
                             sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                             status="ok" if fields is not None else "error", fields=fields,
                             error=None if fields is not None else "unreadable"))
    return folder.path
