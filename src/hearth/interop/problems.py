"""A problem found in an import file: which child, where, what value, which rule."""

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    child: str  # the LAchildID (or "" for a problem with the whole file)
    path: str  # the element path, e.g. /Message/Children/Child[3]/CINdetails[1]/CINclosureDate
    value: str
    rule: str  # the rule's code, e.g. CLOSURE_REASON_WITH_DATE
    message: str  # the text a person reads

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
