"""The three outcomes of a scored pair, shared by incremental matching, the batch run and the
evaluation, so that the figures in the docs are the decisions Hearth makes."""

from enum import StrEnum


class Outcome(StrEnum):
    LINK = "link"  # the same person: linked automatically
    REVIEW = "review"  # a person decides
    NEW = "new"  # different people


def decide(match_probability: float, *, upper: float, lower: float, twins: bool) -> Outcome:
    """Twins (same family name, date of birth and postcode, different given names) are never
    linked automatically: at best they go to a reviewer."""
    if match_probability >= upper and not twins:
        return Outcome.LINK
    if match_probability >= lower or (twins and match_probability >= upper):
        return Outcome.REVIEW
    return Outcome.NEW
