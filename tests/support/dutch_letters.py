"""Synthetic Dutch clinical letters with labelled identifiers, written by the suite (for
`pluk deidentify`, --pseudonymise and bench/deidentify_bench.py): names with initials and
prefixes, addresses, postcodes, valid BSNs (11-proef), dates of birth, phone numbers, e-mail
addresses and institutions, beside clinical values that must survive pseudonymisation."""

from __future__ import annotations

import random
from dataclasses import dataclass

SURNAMES = [("van der", "Berg"), ("de", "Vries"), ("", "Jansen"), ("van", "Dijk"),
            ("", "Bakker"), ("van den", "Heuvel"), ("", "Visser"), ("de", "Boer")]
FIRST = ["Johannes", "Maria", "Pieter", "Anna", "Willem", "Sophie", "Hendrik", "Emma"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat"]
PLACES = ["Utrecht", "Amersfoort", "Zwolle", "Nijmegen", "Haarlem"]
HOSPITALS = ["UMC Utrecht", "Jeroen Bosch Ziekenhuis", "Ziekenhuis Rivierenland", "Maxima MC"]
CLINICAL = ["PSA 9,7", "PI-RADS 4", "8 mm"]


@dataclass
class Letter:
    text: str
    identifiers: dict[str, list[str]]  # category -> the strings that must not remain


def valid_bsn(rng: random.Random) -> str:
    """A nine-digit number that passes the 11-proef (as BSNs do)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits + [last]))


def _name(prefix: str, surname: str, *, first: bool = False) -> str:
    """The surname with its prefix, which opens with a capital at the start of a name
    ("Dhr. Van der Berg") and not after initials ("J. van der Berg")."""
    if first and prefix:
        prefix = prefix[0].upper() + prefix[1:]
    return f"{prefix} {surname}".strip()


def letter(seed: int) -> Letter:
    rng = random.Random(seed)
    (p_pre, p_sur), (d_pre, d_sur) = rng.sample(SURNAMES, 2)
    initials = "".join(f"{c}." for c in rng.sample("ABCHJKMPW", rng.randint(1, 2)))
    first = rng.choice(FIRST)
    patient_full = f"{initials} {_name(p_pre, p_sur)}"
    doctor = f"dr. {_name(d_pre, d_sur, first=True)}"
    street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
    postcode = f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLM')}{rng.choice('NPRSTVWXZ')}"
    place = rng.choice(PLACES)
    birth = f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(1935, 1975)}"
    bsn = valid_bsn(rng)
    phone = f"06-{rng.randint(10000000, 99999999)}"
    email = f"{first.lower()}.{p_sur.lower()}@example.nl"
    hospital = rng.choice(HOSPITALS)
    title = "Dhr." if first in ("Johannes", "Pieter", "Willem", "Hendrik") else "Mevr."
    again = f"{title} {_name(p_pre, p_sur, first=True)}"
    text = (f"{hospital}, afdeling Urologie\n\n"
            f"Betreft: {patient_full}, geboren {birth}, BSN {bsn}\n"
            f"Adres: {street}, {postcode} {place}\n"
            f"Telefoon {phone}, e-mail {email}\n\n"
            f"Geachte collega,\n\n"
            f"Wij zagen uw patiënt op de polikliniek. Het PSA 9,7 ng/ml. MRI toont een laesie "
            f"PI-RADS 4 in de perifere zone, grootte 8 mm. Geen extraprostatische uitbreiding.\n"
            f"{again} is geïnformeerd over een biopsie.\n\n"
            f"Met vriendelijke groet,\n{doctor}, uroloog\n")
    identifiers = {
        "persoon": [p_sur, d_sur], "locatie": [street, postcode, place],
        "datum": [birth], "bsn": [bsn], "telefoonnummer": [phone], "emailadres": [email],
        "ziekenhuis": [hospital]}
    return Letter(text=text, identifiers=identifiers)


def letters(n: int, start: int = 0) -> list[Letter]:
    return [letter(seed) for seed in range(start, start + n)]
