"""The words clinical reports use for the things a field may measure, in Dutch and English:
built-in synonyms that evidence (evidence_label.py) adds to a field's own words, and the words
that name something else ("bladder", "haemoglobin", "height"), which a number next to them is
not a value of, unless the field itself is named by them.

Each group is one thing; a field whose name or synonyms hold a word of a group is known by every
word of it. Words are as evidence_text.norm_word makes them: case-folded, hyphens dropped
("PI-RADS" is "pirads"). A task adds its own words per field (the field's `synonyms`).
"""

from __future__ import annotations

GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g.split()) for g in (
    # measurements of the prostate and its lesions
    "psa psawaarde prostaatspecifiek",
    "volume volumen inhoud prostaatvolume prostatevolume",
    "density densiteit dichtheid psad psadensiteit psadensity",
    "pirads",
    "size grootte diameter afmeting afmetingen doorsnede omvang maat dimension",
    "length lengte",
    "gleason",
    "isup gradegroup graadgroep",
    "lesion lesions laesie laesies lesie lesies afwijking afwijkingen haard haarden",
    "count aantal",
    "tumor tumour tumoren tumours carcinoom carcinoma",
    "stage stadium",
    "extraprostatic extraprostatische epe kapseldoorbraak",
    "core cores biopt biopten biopsie biopsies",
    # other things reports measure
    "hemoglobin haemoglobin hemoglobine hb",
    "creatinine kreatinine kreat egfr",
    "bloodpressure bloeddruk tensie rr",
    "pulse pols hartfrequentie heartrate",
    "temperature temperatuur temp",
    "height",
    "weight gewicht",
    "bmi",
    "age leeftijd",
    "ejection ejectiefractie lvef",
    "glucose",
    "leukocytes leukocyten leucocyten",
    "crp",
    # organs and body parts whose volumes and sizes stand beside the field's
    "bladder blaas",
    "kidney kidneys nier nieren",
    "liver lever",
    "spleen milt",
    "urine residu residual mictie",
    "seminal zaadblaas zaadblaasjes vesicles",
    "rectum",
    "lymph lymfeklier lymfeklieren klier klieren node nodes",
    "thyroid schildklier",
    "heart hart",
    "lung long longen",
    "pancreas",
    "uterus baarmoeder",
    "ovary ovarium ovaria",
    "breast borst mamma",
))

OTHER_THINGS: frozenset[str] = frozenset(w for g in GROUPS for w in g)


def expand(words: set[str]) -> set[str]:
    """`words` with every word of each group one of them belongs to."""
    out = set(words)
    for group in GROUPS:
        if group & words:
            out |= group
    return out
