"""The words of the documents Pluk writes for people to read: the HTML export and the validation
report (validation.md), in English or Dutch. The window passes its own language; the command
line takes `--language`. Qt-free, so the core and the command line use it as the window does.

`wording(language)` gives a function from the English text to the text in that language (the
English itself where no translation is known, so a missing entry shows English, never
nothing); `number(value, digits, language)` writes a decimal with the language's mark. The
messages inside records (a field's failure reason, a warning) are the run's data and stay as
the run wrote them.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "nl")

_NL = {
    # The HTML export.
    "Task": "Taak",
    "{n} report": "{n} verslag",
    "{n} reports": "{n} verslagen",
    "{n} values with evidence: {exact} exact, {weak} weak, {missing} ungrounded":
        "{n} waarden met bewijs: {exact} letterlijk, {weak} zwak, {missing} zonder bewijs",
    "exact": "letterlijk",
    "fuzzy": "bij benadering",
    "weak (not next to its words)": "zwak (niet naast de woorden van het veld)",
    "ungrounded": "zonder bewijs",
    "Field": "Veld",
    "Value": "Waarde",
    "Evidence": "Bewijs",
    "Note": "Opmerking",
    "Review": "Controle",
    "Reviewed value": "Gecontroleerde waarde",
    "Reason": "Reden",
    "yes": "ja",
    "no": "nee",
    "ok": "ok",
    "invalid": "ongeldig",
    "error": "fout",
    "model": "model",
    "accepted": "goedgekeurd",
    "corrected": "verbeterd",
    "rejected": "afgewezen",
    "The report text is not available here (its input was not found or has changed).":
        "De tekst van het verslag is hier niet beschikbaar (het bestand is niet gevonden of "
        "is veranderd).",
    # validation.md.
    "Validation of Pluk run: {title}": "Validatie van Pluk-run: {title}",
    "Model file": "Modelbestand",
    "Run": "Run",
    "running": "bezig",
    "finished": "voltooid",
    "cancelled": "gestopt",
    "failed": "mislukt",
    "{path}, started {started}, {status}": "{path}, gestart {started}, {status}",
    "Reference table": "Referentietabel",
    "{name} (sha256 {sha}…), id column '{column}'":
        "{name} (sha256 {sha}…), id-kolom '{column}'",
    "Report made": "Rapport gemaakt",
    "{when} by Pluk {version}": "{when} door Pluk {version}",
    "Method": "Methode",
    "Coverage": "Dekking",
    "Reports": "Verslagen",
    "Reference rows with an id": "Referentierijen met een id",
    "… with a record in the run (scored)": "… met een record in de run (beoordeeld)",
    "… without a record (not scored)": "… zonder record (niet beoordeeld)",
    "Records not in the reference": "Records die niet in de referentie staan",
    "Reference rows without an id (ignored)": "Referentierijen zonder id (genegeerd)",
    "none": "geen",
    "Ids without a record: ": "Id's zonder record: ",
    "Summary (estimate, 95% CI)": "Samenvatting (schatting, 95%-BI)",
    "Type": "Type",
    "Accuracy": "Juistheid",
    "Kappa": "Kappa",
    "Macro F1": "Macro-F1",
    "MAE": "MAE",
    "Within tolerance": "Binnen tolerantie",
    "ECE": "ECE",
    "Not compared: ": "Niet vergeleken: ",
    "Type {type}{unit}; reference column '{column}'; {n} reports; disagreements: {d}.":
        "Type {type}{unit}; referentiekolom '{column}'; {n} verslagen; verschillen: {d}.",
    ", unit ": ", eenheid ",
    "Both numbers {both}, both empty {empty}, only the reference empty {ref}, only the "
    "prediction empty {pred}. Mean error {error}.":
        "Beide een getal {both}, beide leeg {empty}, alleen de referentie leeg {ref}, alleen "
        "de voorspelling leeg {pred}. Gemiddelde fout {error}.",
    "Confusion matrix (rows: reference, columns: prediction):":
        "Verwarringsmatrix (rijen: referentie, kolommen: voorspelling):",
    "reference \\ prediction": "referentie \\ voorspelling",
    "Label": "Label",
    "Support": "Aantal",
    "Predicted": "Voorspeld",
    "Precision": "Precisie",
    "Recall": "Sensitiviteit",
    "F1": "F1",
    "Reference values outside the task's allowed values: ":
        "Referentiewaarden buiten de toegestane waarden van de taak: ",
    "Unreadable reference cells (not scored): ": "Onleesbare referentiecellen (niet beoordeeld): ",
    "Disagreements:": "Verschillen:",
    "Id": "Id",
    "Reference": "Referentie",
    "Prediction": "Voorspelling",
    "… {n} more in validation.json.": "… nog {n} in validation.json.",
    "the option probabilities": "de optiekansen",
    "the agreement across passes": "de overeenstemming tussen herhalingen",
    "Calibration of {source}: ECE {ece} over {n} {answers}, {bins} equal-width bins:":
        "Kalibratie van {source}: ECE {ece} over {n} {answers}, {bins} even brede klassen:",
    "answer": "antwoord",
    "answers": "antwoorden",
    "Confidence": "Zekerheid",
    "Answers": "Antwoorden",
    "Mean confidence": "Gemiddelde zekerheid",
    "Reliability diagram of {field}": "Betrouwbaarheidsdiagram van {field}",
    "Reliability diagram: confidence (x, 0 to 1) against accuracy (y, 0 to 1); a bar per bin "
    "with answers, its dark tick the bin's mean confidence; a calibrated confidence has its "
    "bars on the grey diagonal.":
        "Betrouwbaarheidsdiagram: zekerheid (x, 0 tot 1) tegen juistheid (y, 0 tot 1); een "
        "staaf per klasse met antwoorden, het donkere streepje de gemiddelde zekerheid van die "
        "klasse; bij een gekalibreerde zekerheid staan de staven op de grijze diagonaal.",
    "n/a": "n.v.t.",
}

_CATALOGUES = {"nl": _NL}


def wording(language: str) -> Callable[[str], str]:
    """English text -> the text in `language` (English where none is known)."""
    catalogue = _CATALOGUES.get(language, {})
    return lambda text: catalogue.get(text, text)


def number(value: float, digits: int, language: str) -> str:
    """A decimal with `digits` places, with a comma in Dutch: 0,813."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "nl" else text
