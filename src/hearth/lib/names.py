"""Name keys for spelling-tolerant search: a folded form and a phonetic code."""

import re
import unicodedata

import jellyfish


def fold(name: str) -> str:
    """Lower case, accents and punctuation removed: "O'Brien-Smith" -> "obriensmith"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = decomposed.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_only.lower())


def phonetic(name: str) -> str:
    folded = fold(name)
    return jellyfish.metaphone(folded)[:12] if folded else ""
