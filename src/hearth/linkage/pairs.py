"""The pair page's content: two source records side by side, field by field, and what each
comparison contributed to the model's score. Identifying fields only: never a chronology."""

from dataclasses import dataclass
from typing import Any

from hearth.linkage.models import ReviewItem, SourceRecord

BAR_HALF = 100  # pixels either side of zero in a contribution bar


def mask_nhs_number(value: str) -> str:
    """Enough to compare by eye (the last four digits), not enough to copy."""
    digits = "".join(c for c in value if c.isdigit())
    if not digits:
        return ""
    return f"*** *** {digits[-4:]}" if len(digits) > 4 else "*" * len(digits)


def _norm(value: Any) -> str:
    return "".join(str(value or "").split()).casefold()


@dataclass
class FieldRow:
    label: str
    left: str
    right: str

    @property
    def agreement(self) -> str:
        if not self.left or not self.right:
            return "missing"
        return "agree" if _norm(self.left) == _norm(self.right) else "differ"


@dataclass
class Contribution:
    name: str
    level: str
    left: str
    right: str
    weight: float
    bar_x: float
    bar_width: float

    @property
    def positive(self) -> bool:
        return self.weight >= 0


def _shown(record: SourceRecord, name: str) -> str:
    value = getattr(record, name)
    if name == "date_of_birth":
        return value.strftime("%-d %b %Y") if value else ""
    if name == "nhs_number":
        return mask_nhs_number(value)
    if name == "previous_family_names":
        return ", ".join(value or [])
    return str(value or "")


FIELDS = [
    ("Given name", "given_name"),
    ("Middle names", "middle_names"),
    ("Family name", "family_name"),
    ("Previous family names", "previous_family_names"),
    ("Date of birth", "date_of_birth"),
    ("Sex", "sex"),
    ("Postcode", "postcode"),
    ("Address", "address"),
    ("NHS number", "nhs_number"),
    ("UPN", "upn"),
]


def field_rows(left: SourceRecord, right: SourceRecord) -> list[FieldRow]:
    rows = [FieldRow(label, _shown(left, name), _shown(right, name)) for label, name in FIELDS]
    # Two masked NHS numbers may share their last four digits: agree only on the real values.
    nhs = rows[[n for _, n in FIELDS].index("nhs_number")]
    if nhs.left and nhs.right and _norm(left.nhs_number) != _norm(right.nhs_number):
        nhs.right = f"{nhs.right} (a different number)"
    return rows


LABELS = {name: label for label, name in FIELDS} | {"dob": "Date of birth", "nhs": "NHS number"}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def contributions(review: ReviewItem) -> list[Contribution]:
    items = [c for c in review.comparison or [] if isinstance(c, dict)]
    scale = max([abs(float(c.get("match_weight") or 0)) for c in items] + [1e-9])
    out = []
    for c in items:
        weight = float(c.get("match_weight") or 0)
        width = abs(weight) / scale * BAR_HALF
        left, right = str(c.get("left") or ""), str(c.get("right") or "")
        if "nhs" in str(c.get("name", "")).lower():
            left, right = mask_nhs_number(left), mask_nhs_number(right)
        out.append(
            Contribution(
                name=_label(str(c.get("name", ""))),
                level=str(c.get("level", "")),
                left=left,
                right=right,
                weight=weight,
                bar_x=BAR_HALF if weight >= 0 else BAR_HALF - width,
                bar_width=max(width, 1.0),
            )
        )
    return out
