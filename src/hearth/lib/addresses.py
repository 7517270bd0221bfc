"""One dwelling, however each agency spells it: the key that lets Hearth see that the school's
"12 Elm Rd" and housing's "12 ELM ROAD" are the same home (seed 003, learning 4)."""

import re

from hearth.lib.identifiers import normalise_postcode

# Street-type abbreviations UK systems export, expanded to one spelling.
_WORDS = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "cr": "crescent",
    "dr": "drive",
    "ct": "court",
    "pl": "place",
    "gdns": "gardens",
    "gr": "grove",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "wy": "way",
    "hse": "house",
    "apt": "flat",
    "apartment": "flat",
}


def _words(segment: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’.]", "", (segment or "").lower()))
    # "St" ends a street ("12 High St") but begins a saint ("St Mary's Close").
    return [
        ("street" if i == len(words) - 1 else "saint") if w == "st" else _WORDS.get(w, w)
        for i, w in enumerate(words)
    ]


def dwelling_key(line1: str, line2: str = "", postcode: str = "", uprn: str = "") -> str:
    """The UPRN where there is one; otherwise the postcode and the house number or name with the
    street, abbreviations expanded, case and punctuation ignored."""
    if uprn and uprn.strip().isdigit():
        return f"uprn:{int(uprn)}"
    words = [w for segment in re.split(r"[,\n]", f"{line1},{line2}") for w in _words(segment)]
    postcode = normalise_postcode(postcode).replace(" ", "")
    if not postcode or not words:
        return ""
    return f"{postcode}|{' '.join(words)}"[:120]
