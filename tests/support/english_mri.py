"""A small labelled set of invented English prostate MRI reports (no patient data), for the
real-model tests and the accuracy figure in BENCHMARKS.md. Each report states its PSA and
prostate volume plainly; PI-RADS and extraprostatic extension vary."""

from __future__ import annotations

from pluk.core.readers.reports import Report

# (psa, volume, pirads, epe)
CASES = [
    (8.6, 26, "4", False), (4.2, 38, "3", False), (12.5, 61, "5", True), (6.1, 45, "2", False),
    (15.3, 72, "5", True), (3.4, 29, "1", False), (9.8, 54, "4", False), (7.7, 33, "3", False),
    (22.0, 88, "5", True), (5.5, 41, "2", False), (10.9, 47, "4", True), (2.9, 24, "1", False),
    (11.4, 66, "3", False), (18.6, 95, "5", True),
]
_SIDES = ["left peripheral zone", "right transition zone", "left apex", "right base"]


def report_text(psa: float, volume: int, pirads: str, epe: bool, n: int) -> str:
    extension = ("Extraprostatic extension is present." if epe
                 else "No extraprostatic extension.")
    return (f"MRI prostate, case {n + 1}.\n"
            f"Clinical information: PSA {psa} ng/mL, no prior biopsy.\n"
            f"Findings: prostate volume {volume} mL. One lesion in the {_SIDES[n % 4]}, "
            f"PI-RADS {pirads}. {extension}\n"
            f"Conclusion: PI-RADS {pirads} lesion in the {_SIDES[n % 4]}.")


def reports() -> list[Report]:
    return [Report.from_text(id=f"en{n:02d}", source="english_mri", format="txt",
                             text=report_text(*case, n)) for n, case in enumerate(CASES)]


def labels() -> dict[str, dict]:
    return {f"en{n:02d}": {"psa": psa, "prostate_volume": float(volume),
                           "highest_pirads": pirads, "extraprostatic_extension": epe}
            for n, (psa, volume, pirads, epe) in enumerate(CASES)}
