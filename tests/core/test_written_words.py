"""Issue 26, item 4: the HTML export and validation.md follow the run's language: their own
words in Dutch in a Dutch window (and with `--language nl`), numbers with a decimal comma;
English by default, as before."""

from __future__ import annotations

import re

from pluk.cli import main
from pluk.core.runs.html_export import render
from pluk.core.runs.records import Evidence, Record
from pluk.core.tasks import load_task
from pluk.core.validation.report import render_markdown
from pluk.core.written_words import _NL, number, wording
from tests.core.test_validation import _golden_cases

# The English words of the documents' own frame: none may be left in a Dutch one.
ENGLISH_FRAME = ("Field", "Value", "Evidence", "Reviewed value", "values with evidence",
                 "ungrounded", "## Method\n", "## Coverage", "Reference rows", "Summary (",
                 "Confusion matrix", "Disagreements:", "Calibration of the", "Mean confidence",
                 "Reliability diagram", "reports; disagreements", "n/a")


def _dutch_page() -> str:
    task = load_task("prostate_mri_nl")
    text = "PSA 8,6 ng/ml. Volume 40 cc."
    record = Record(id="r1", source="s", sha256="h", status="invalid",
                    fields={"psa": 8.6, "prostate_volume": 40.0, "highest_pirads": None,
                            "suspicious_lesion_count": None, "extraprostatic_extension": False},
                    evidence={"psa": Evidence(quote="8,6", start=4, end=7, status="exact")})
    return render(task, [record], {"h": text}, language="nl")


def test_the_html_page_speaks_dutch_in_a_dutch_run():
    page = _dutch_page()
    assert '<html lang="nl">' in page
    for dutch in ("<th>Veld</th>", "<th>Waarde</th>", "<th>Bewijs</th>", "letterlijk",
                  "ongeldig", "nee", "1 verslag", "Taak prostate_mri_nl"):
        assert dutch in page, dutch
    visible = re.sub(r"<[^>]+>", " ", page.split("<body>")[1])
    for english in ENGLISH_FRAME:
        assert english not in visible, english
    assert '<html lang="en">' in render(load_task("prostate_mri_nl"), [], {})


def test_validation_md_speaks_dutch_with_decimal_commas(tmp_path):
    reports = _golden_cases(tmp_path)
    for name, report in reports.items():
        english = render_markdown(report)
        dutch = render_markdown(report, language="nl")
        assert english.startswith("# Validation of Pluk run") and "## Method" in english
        assert dutch.startswith("# Validatie van Pluk-run") and "## Methode" in dutch
        for word in ENGLISH_FRAME:
            assert word not in dutch, (name, word)
        # The same numbers, with a comma: 0.813 (0.750–0.875) becomes 0,813 (0,750–0,875).
        metrics = re.findall(r"\b\d\.\d{3}\b", english)
        assert metrics and all(m.replace(".", ",") in dutch for m in metrics)
        assert not re.search(r"\b\d\.\d{3}\b", dutch)


def test_every_dutch_entry_keeps_its_placeholders():
    for english, dutch in _NL.items():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", dutch)), english
    assert wording("nl")("no such text") == "no such text"  # English, never nothing
    assert wording("en")("Field") == "Field" and wording("nl")("Field") == "Veld"
    assert number(0.8125, 3, "nl") == "0,812" and number(0.8125, 3, "en") == "0.812"


def test_the_command_line_takes_the_language(tmp_path, capsys):
    report = _golden_cases(tmp_path)["rich"]
    run_dir = report.run.path
    truth = tmp_path / "rich.csv"
    out = tmp_path / "nl"
    assert main(["evaluate", str(run_dir), "--truth", str(truth), "--id-column", "report id",
                 "--resamples", "0", "--out", str(out), "--language", "nl"]) == 0
    assert (out / "validation.md").read_text(encoding="utf-8").startswith("# Validatie van")
    page = tmp_path / "run.html"
    assert main(["export", str(run_dir), "--out", str(page), "--language", "nl"]) == 0
    assert '<html lang="nl">' in page.read_text(encoding="utf-8")
