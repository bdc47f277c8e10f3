"""Builders of report files for tests, and a ready-made folder of 30 mixed reports.

Everything is written by hand or with the libraries Pluk reads with (python-docx, openpyxl), so
tests need no fixture files. The reports are invented; no real patient data.
"""

from __future__ import annotations

from pathlib import Path

# --------------------------------------------------------------------------------------------
# File builders


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one page per list of lines, Helvetica text (WinAnsi), a real text
    layer pypdf can extract. An empty list gives a page with an empty content stream, which is
    what a scanned page looks like to a text extractor."""

    def literal(line: str) -> bytes:
        raw = line.encode("cp1252")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        stream = b""
        if lines:
            shown = b" ".join(literal(line) + b" Tj T*" for line in lines)
            stream = b"BT /F1 11 Tf 14 TL 72 770 Td " + shown + b" ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def rtf_bytes(paragraphs: list[str]) -> bytes:
    """An RTF document as Word writes it: cp1252 code page, non-ASCII as \\'xx or \\uN escapes."""

    def escape(text: str) -> str:
        out = []
        for ch in text:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) < 128:
                out.append(ch)
            else:
                try:
                    out.append("\\'%02x" % ch.encode("cp1252")[0])
                except UnicodeEncodeError:
                    out.append(f"\\u{ord(ch)}?")
        return "".join(out)

    body = "".join(f"\\pard {escape(p)}\\par\n" for p in paragraphs)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
            "{\\info{\\author Afdeling Radiologie}}\n\\f0\\fs20\n" + body + "}").encode("ascii")


def write_docx(path: Path, blocks: list[str | list[list[str]]]) -> None:
    """A .docx with paragraphs (str) and tables (list of rows of cell texts), in order."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


# --------------------------------------------------------------------------------------------
# The mixed folder

_GOOD: dict[str, tuple[str, list[str] | list]] = {
    # id: (how to write it, lines); lines joined with "\n" are the expected text
    "prostaat/mri/mri_001.txt": ("utf8", [
        "MRI prostaat (multiparametrisch)",
        "Indicatie: verhoogd PSA (8,4 ng/ml), status na negatieve biopten.",
        "Prostaatvolume 52 cc, PSA-densiteit 0,16 ng/ml/cc.",
        "Perifere zone links dorsolateraal: laesie van 11 mm met diffusierestrictie, PI-RADS 4.",
        "Geen extraprostatische extensie. Vesiculae seminales vrij.",
        "Conclusie: PI-RADS 4 laesie links perifeer; MR-geleide biopsie geadviseerd.",
    ]),
    "prostaat/mri/mri_002.txt": ("cp1252", [
        "MRI prostaat",
        "PSA 5,1 ng/ml. Prostaatvolume 38 cc.",
        "Patiënt met coëxistente prostatitis in de voorgeschiedenis.",
        "Diffuse veranderingen in de transitiezone passend bij BPH, geen verdachte laesies.",
        "Conclusie: PI-RADS 2. Controle PSA over 6 maanden.",
    ]),
    "prostaat/mri/mri_003.txt": ("bom-crlf", [
        "MRI prostaat, actieve surveillance",
        "Bekend prostaatcarcinoom Gleason 3+3=6 (ISUP graad 1) rechts apicaal.",
        "PSA 6,3 ng/ml, prostaatvolume 44 cc.",
        "Stabiele laesie rechts apicaal van 7 mm, PI-RADS 3.",
        "Conclusie: geen progressie ten opzichte van het vorige onderzoek.",
    ]),
    "prostaat/mri/mri_004.md": ("utf8", [
        "# MRI prostaat",
        "",
        "**Klinische gegevens:** PSA 12 ng/ml, rectaal toucher afwijkend links.",
        "",
        "**Bevindingen:** prostaatvolume 61 cc. Laesie transitiezone anterieur, 18 mm, "
        "PI-RADS 5, verdacht voor extraprostatische extensie.",
        "",
        "**Conclusie:** PI-RADS 5; verwijzing naar de uroloog.",
    ]),
    "prostaat/mri/mri_005.docx": ("docx", [
        "MRI prostaat",
        "PSA 9,7 ng/ml, prostaatvolume 35 cc, PSA-densiteit 0,28.",
        "Laesie perifere zone rechts mid-gland, 14 mm, PI-RADS 4, geen kapseldoorbraak.",
        "Conclusie: PI-RADS 4; biopsie geadviseerd.",
    ]),
    "prostaat/mri/mri_006.pdf": ("pdf", [
        "MRI prostaat na radiotherapie",
        "PSA-stijging tot 2,4 ng/ml (nadir 0,3 ng/ml).",
        "Focale laesie links basaal met vroege aankleuring, verdacht voor lokaal recidief.",
        "Conclusie: verdenking lokaal recidief; PSMA-PET/CT geadviseerd.",
    ]),
    "radiologie/thorax/ct_thorax_001.txt": ("utf8", [
        "CT thorax met contrast",
        "In de rechter bovenkwab een solide longnodus van 9 mm, spiculair begrensd.",
        "Geen mediastinale of hilaire lymfadenopathie. Geen pleuravocht.",
        "Conclusie: verdachte longnodus rechter bovenkwab; PET-CT geadviseerd.",
    ]),
    "radiologie/thorax/ct_thorax_002.rtf": ("rtf", [
        "CT thorax zonder contrast (controle)",
        "Bekende longnodus linker onderkwab, nu 6 mm (voorheen 6 mm), stabiel over 24 maanden.",
        "Conclusie: stabiele nodus, benigne aspect; geen verdere follow-up nodig.",
    ]),
    "radiologie/thorax/ct_thorax_003.docx": ("docx", [
        "CT thorax, longnoduli",
        [["Nodus", "Locatie", "Grootte"], ["1", "rechter middenkwab", "5 mm"],
         ["2", "linker bovenkwab", "4 mm"]],
        "Conclusie: twee kleine noduli, follow-up CT over 12 maanden.",
    ]),
    "radiologie/thorax/ct_thorax_004.pdf": ("pdf2", [
        ["CT thorax-abdomen, stadiëring",
         "Longnodus rechter onderkwab 14 mm, vergrote subcarinale lymfklier van 16 mm."],
        ["Lever: geen metastasen. Bijnieren normaal.",
         "Conclusie: verdenking longcarcinoom cT1c N2; bespreken in het MDO."],
    ]),
    "radiologie/thorax/x_thorax_005.md": ("utf8", [
        "X-thorax PA en lateraal: geen infiltraat, normale hartgrootte, sinus costophrenicus vrij.",
    ]),
    "radiologie/echo/echo_abdomen_001.txt": ("cp1252", [
        "Echografie bovenbuik",
        "Lever normaal van grootte met homogeen echopatroon.",
        "Galblaas met meerdere concrementen tot ± 12 mm, geen tekenen van cholecystitis.",
        "Conclusie: cholecystolithiasis; geen afwijkingen van lever of pancreaskop.",
    ]),
    "radiologie/echo/echo_nieren_002.rtf": ("rtf", [
        "Echografie nieren",
        "Rechternier 11,2 cm, linkernier 10,8 cm, geen hydronefrose.",
        "Eenvoudige cyste bovenpool links van 2 cm (Bosniak I).",
    ]),
    "pathologie/pa_prostaatbiopt_001.txt": ("utf8", [
        "Prostaatbiopten (12 cilinders)",
        "Rechts: in 3 van 6 cilinders adenocarcinoom, Gleason 3+4=7 (ISUP graad 2), "
        "maximaal 6 mm tumor.",
        "Links: geen maligniteit. Geen perineurale ingroei.",
    ]),
    "pathologie/pa_prostatectomie_002.docx": ("docx", [
        "Radicale prostatectomie",
        "Adenocarcinoom van de prostaat, Gleason 4+3=7 (ISUP graad 3), pT3a.",
        "Snijvlakken vrij. Lymfklieren 0/12 (pN0).",
    ]),
    "pathologie/pa_long_003.pdf": ("pdf", [
        "Wigexcisie rechter bovenkwab",
        "Adenocarcinoom van de long, acinair groeipatroon, 1,4 cm.",
        "Pleura niet doorgroeid; resectievlakken vrij.",
    ]),
    "pathologie/pa_mamma_004.rtf": ("rtf", [
        "Mammabiopt links",
        "Invasief carcinoom NST, graad 2; ER 100%, PR 80%, HER2 negatief (score 1+).",
    ]),
    "pathologie/pa_colon_005.txt": ("cp1252", [
        "Hemicolectomie links: adenocarcinoom van het sigmoïd, pT3 N1a (1/14).",
        "Tumordiameter ± 4 cm; resectievlakken vrij; MMR-eiwitexpressie behouden.",
    ]),
    "verslag_001.txt": ("utf8", [
        "MRI hersenen: geen recente ischemie, enkele witte-stofafwijkingen (Fazekas 1).",
    ]),
    "verslag_002.md": ("utf8", [
        "Botscintigrafie: geen aanwijzingen voor ossale metastasen van het prostaatcarcinoom.",
    ]),
    "archief/2019/q3/mri_oud.txt": ("utf8", [
        "MRI prostaat (2019): PSA 4,2 ng/ml, prostaatvolume 30 cc, PI-RADS 1.",
    ]),
    "archief/2019/q3/ct_oud.docx": ("docx", [
        "CT thorax (2019): multipele kleine longnoduli < 4 mm, geen follow-up nodig.",
    ]),
}

_BAD: dict[str, str] = {
    "leeg.txt": "empty file",
    "radiologie/export.txt": "binary data",
    "archief/kapot.docx": "corrupt or unreadable Word file",
    "prostaat/mri/scan_zonder_tekst.pdf": "scanned PDF without a text layer",
    "pathologie/kapot.pdf": "corrupt or unreadable PDF",
    "radiologie/thorax/spaties.md": "no text",
    "archief/oud_verslag.doc": "unsupported file type .doc",
    "archief/groot.txt": "text too long",
}

_HIDDEN = [".DS_Store", "prostaat/mri/~$mri_005.docx", ".cache/notities.txt"]


def _expected_text(kind: str, lines: list) -> str:
    if kind == "pdf2":
        return "\n\n".join("\n".join(page) for page in lines)
    # a docx table block reads back as one line per row, cells joined with " | "
    return "\n".join(
        "\n".join(" | ".join(row) for row in line) if isinstance(line, list) else line
        for line in lines
    )


def _write_good(path: Path, kind: str, lines: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "docx":
        write_docx(path, lines)
    elif kind == "pdf":
        path.write_bytes(pdf_bytes([lines]))
    elif kind == "pdf2":
        path.write_bytes(pdf_bytes(lines))
    elif kind == "rtf":
        path.write_bytes(rtf_bytes(lines))
    elif kind == "cp1252":
        path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    elif kind == "bom-crlf":
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    else:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_bad(root: Path) -> None:
    files = {
        "leeg.txt": b"",
        "radiologie/export.txt": b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 4,
        "archief/kapot.docx": b"PK\x03\x04 dit is geen echt Word-document",
        "prostaat/mri/scan_zonder_tekst.pdf": pdf_bytes([[], []]),
        "pathologie/kapot.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF garbage",
        "radiologie/thorax/spaties.md": b"  \n\t\n   \n",
        "archief/oud_verslag.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        "archief/groot.txt": ("PSA 7 ng/ml. " * 80_000).encode(),  # 1,040,000 characters
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for rel in _HIDDEN:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00\x00lock" if "~$" in rel else b"hidden, not a report\n")


def make_mixed_report_folder(root: Path) -> dict:
    """Write 30 reports under root (22 readable, 8 not) plus hidden files that must be skipped.

    Returns {"good": [ids, sorted], "bad": {id: substring of the reason},
    "texts": {good id: exact expected text}, "hidden": [relative paths that must not appear]}.
    Works with the default ReadLimits (the over-long one exceeds max_chars = 1,000,000).
    """
    root.mkdir(parents=True, exist_ok=True)
    texts = {}
    for rel, (kind, lines) in _GOOD.items():
        _write_good(root / rel, kind, lines)
        texts[rel] = _expected_text(kind, lines)
    _write_bad(root)
    return {"good": sorted(_GOOD), "bad": dict(_BAD), "texts": texts, "hidden": list(_HIDDEN)}
