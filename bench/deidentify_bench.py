"""Pseudonymisation bench: recall and precision per category of deduce (through Pluk's
pseudonymise) on the synthetic Dutch letters the suite writes, and the cost per report.

    PYTHONPATH=desktop:. python bench/deidentify_bench.py [N_LETTERS]
    PYTHONPATH=desktop:. python bench/deidentify_bench.py --extraction MODEL.gguf [N_LETTERS]

With --extraction: task prostate_mri_nl on N letters with a real model, without and with
--pseudonymise; the fields each letter states (PSA 9.7, PI-RADS 4, no extraprostatic
extension) counted right per condition.

Recall: labelled identifiers no longer in the text. Precision: replaced spans that overlap a
labelled identifier (or the patient's repeated name), over all replaced spans.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from pluk.core.privacy.deduce_engine import load_deduce
from pluk.core.privacy.pseudonymise import pseudonymise
from tests.support.dutch_letters import CLINICAL, letters


def main(n: int = 100) -> None:
    started = time.perf_counter()
    load_deduce()
    print(f"deduce load: {time.perf_counter() - started:.1f} s")
    found, total, right, replaced = Counter(), Counter(), Counter(), Counter()
    kept_clinical = 0
    seconds = 0.0
    for letter in letters(n):
        started = time.perf_counter()
        done = pseudonymise(letter.text)
        seconds += time.perf_counter() - started
        spans = []
        for category, values in letter.identifiers.items():
            for value in values:
                total[category] += 1
                found[category] += value not in done.text
                at = letter.text.find(value)
                while at >= 0:
                    spans.append((at, at + len(value)))
                    at = letter.text.find(value, at + 1)
        for rep in done.replacements:
            replaced[rep.category] += 1
            right[rep.category] += any(s < rep.end and rep.start < e for s, e in spans)
        kept_clinical += all(value in done.text for value in CLINICAL)
    print(f"{n} letters, {seconds / n * 1000:.1f} ms per report, clinical values kept in "
          f"{kept_clinical}/{n}")
    print("| category | recall | | replaced as | precision |")
    for category in sorted(set(total) | set(replaced)):
        recall = f"{found[category]}/{total[category]}" if total[category] else "-"
        precision = (f"{right[category]}/{replaced[category]}" if replaced[category] else "-")
        print(f"| {category} | {recall} | | {category} | {precision} |")


TRUTH = {"psa": 9.7, "highest_pirads": "4", "extraprostatic_extension": False}


def extraction(model: str, n: int) -> None:
    import tempfile
    from pathlib import Path

    from pluk.core.extraction.job import run_job
    from pluk.core.options import PrivacyOptions, RunOptions
    from pluk.core.readers.reports import Report
    from pluk.core.runs.folder import RunFolder
    from pluk.core.tasks import load_task

    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=letter.text)
               for i, letter in enumerate(letters(n))]
    for on in (False, True):
        out = Path(tempfile.mkdtemp()) / "run"
        started = time.perf_counter()
        run_job(load_task("prostate_mri_nl"), reports, Path(model), out,
                RunOptions(privacy=PrivacyOptions(pseudonymise=on)))
        seconds = time.perf_counter() - started
        right = Counter()
        for record in RunFolder(out).records():
            for name, value in TRUTH.items():
                right[name] += (record.fields or {}).get(name) == value
        print(f"pseudonymise={on}: " + ", ".join(f"{k} {right[k]}/{n}" for k in TRUTH)
              + f" ({seconds:.0f} s)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--extraction"]:
        extraction(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
