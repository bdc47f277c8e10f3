"""What a number in a report is when it is no measurement: a date, a time, one end of a range or
ratio, a list's numbering, an identifier. Evidence (evidence.py) never grounds a measured value
on such a number: "Blood pressure 140/90" is no PSA of 140, "12-03-2024" no volume of 12,
"Visit 1" no volume of 1, a patient number no count.

Dutch and English forms: "12-03-2024", "2024-03-12", "12 maart 2024", "March 12, 2024",
"14:30", "9.30 uur", "140/90", "3-5 mm", "3–5", "1." or "2)" at the start of a line, "Visit 3",
"bezoek 3", "nr. 12", "#4", numbers of six or more digits, and numbers after an id word
("BSN", "MRN", "patiëntnummer").
"""

from __future__ import annotations

import re

_MONTHS = (r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|mar(?:ch)?|apr(?:il)?|mei|may|"
           r"jun[ei]?|jul[iy]?|aug(?:ustus|ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|"
           r"nov(?:ember)?|dec(?:ember)?")
# Without a year "2 may" is a verb more often than a date.
_DAY_MONTH = _MONTHS.replace("mei|may|", "mei|")
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("date", re.compile(
        r"(?<![\d.,])(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|"
        rf"\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|"
        rf"\d{{1,2}}\s+(?:{_DAY_MONTH})\b|(?:{_MONTHS})\.?\s+\d{{4}})(?![\d])", re.IGNORECASE)),
    ("time", re.compile(
        r"(?<![\d.,])(?:\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}[.:]\d{2}\s*(?:uur|u|h|am|pm)\b)",
        re.IGNORECASE)),
    ("range", re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?\s*(?:/|[-–—])\s*\d+(?:[.,]\d+)?"
                         r"(?![\d])")),
    ("numbering", re.compile(r"^[ \t]*\d{1,3}[.)](?=[ \t]+\S)", re.MULTILINE)),
    ("numbering", re.compile(
        r"(?:\b(?:visit|bezoek|consult|controle|nr|no|nummer|number|item|punt|stap|step|"
        r"page|pagina|blz|versie|version|regel|line|kamer|room|bed|cycle|cyclus|kuur|"
        r"series|serie|image|beeld|slice|coupe)\b\.?|#)[ \t]*:?[ \t]*\d+", re.IGNORECASE)),
    ("identifier", re.compile(
        r"(?:\b(?:bsn|mrn|id|pid|patiëntnummer|patientnummer|patient number|"
        r"ziekenhuisnummer|studienummer|study number|accession|ordernummer|"
        r"registratienummer|zis)\b\.?[ \t]*:?[ \t]*)\d[\d .-]*\d|(?<![\d.,])\d{6,}(?![\d.,]\d)",
        re.IGNORECASE)),
]


def kind_spans(text: str) -> list[tuple[int, int, str]]:
    """Every stretch of `text` that makes the numbers in it no measurement, with its kind."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _KINDS:
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    return spans


def number_kind(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """The kind of the number at text[start:end]: the first stretch (in the order of _KINDS:
    a date before a range) that holds its digits, else "plain"."""
    start += text[start] in "-−"  # "-03" of "12-03" is held by the stretch of "12-03"
    for lo, hi, kind in spans:
        if lo <= start and end <= hi:
            return kind
    return "plain"
