"""Reading a CIN census XML file safely, child by child.

- **Safe**: lxml's parser with entity expansion, DTD loading and validation, and network access
  turned off, and huge-tree limits on. A CIN census file never has a document type declaration,
  and DTDs are how entity bombs ("billion laughs") and external-entity attacks are carried, so a
  file that declares one is refused outright, before its DTD is read.
- **Streamed**: `iterparse` hands over one `<Child>` at a time; each is turned into a small
  `Node` tree, and the element and everything before it are cleared, so memory stays flat
  however many children a file holds.
- **Tolerant**: modules and items Hearth does not use are removed before the schema check and
  counted by element name, so a newer or older layout still loads what Hearth understands.
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

from lxml import etree

from hearth.interop.problems import Problem

SCHEMA_PATH = Path(__file__).with_name("cin_census.xsd")
CHILD_PATH = "/Message/Children/Child"
PROLOGUE_BYTES = 64 * 1024

# What Hearth reads under each element; anything else is skipped (and counted).
STRUCTURE: dict[str, tuple[str, ...]] = {
    "Header": ("CollectionDetails", "Source"),
    "CollectionDetails": ("Collection", "Year", "ReferenceDate"),
    "Source": ("SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"),
    "Child": ("ChildIdentifiers", "ChildCharacteristics", "CINdetails"),
    "ChildIdentifiers": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "GenderCurrent",
        "PersonDeathDate",
    ),
    "ChildCharacteristics": ("Ethnicity", "Disabilities"),
    "Disabilities": ("Disability",),
    "CINdetails": (
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
    ),
    "Assessments": (
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ),
    "FactorsIdentifiedAtAssessment": ("AssessmentFactors",),
    "CINPlanDates": ("CINPlanStartDate", "CINPlanEndDate"),
    "Section47": ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"),
    "ChildProtectionPlans": (
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ),
    "Reviews": ("CPPreviewDate",),
}
# Elements that may repeat, so their paths carry an index: CINdetails[2].
REPEATED = frozenset(
    {
        "Child",
        "CINdetails",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
        "Disability",
        "AssessmentFactors",
        "CPPreviewDate",
    }
)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


class CensusFileError(Exception):
    """The file cannot be read as a CIN census at all: nothing in it is loaded."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message)


def file_problem(message: str, *, path: str = "/", value: str = "", rule: str = "FILE") -> Problem:
    return Problem(child="", path=path, value=value, rule=rule, message=message)


@dataclass(slots=True)
class Node:
    """One element of a child's record: its path in the file, its text and its elements."""

    tag: str
    path: str
    text: str = ""
    nodes: list["Node"] = field(default_factory=list)

    def first(self, tag: str) -> "Node | None":
        for node in self.nodes:
            if node.tag == tag:
                return node
        return None

    def all(self, tag: str) -> list["Node"]:
        return [n for n in self.nodes if n.tag == tag]

    def value(self, tag: str) -> str:
        node = self.first(tag)
        return node.text if node is not None else ""

    def date(self, tag: str) -> date | None:
        text = self.value(tag)
        return date.fromisoformat(text) if text else None

    def path_of(self, tag: str) -> str:
        node = self.first(tag)
        return node.path if node is not None else f"{self.path}/{tag}"

    def walk(self) -> Iterator["Node"]:
        yield self
        for node in self.nodes:
            yield from node.walk()


@dataclass
class Header:
    collection: str = ""
    year: int | None = None
    reference_date: date | None = None
    lea: str = ""
    software: str = ""


@dataclass
class ChildElement:
    """One `<Child>` as read: its tree (None if it did not match the schema) and its problems."""

    index: int
    path: str
    la_child_id: str
    node: Node | None
    problems: list[Problem]


@cache
def schema() -> etree.XMLSchema:
    # The schema is ours, read from the package: still parsed with the safe parser.
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _to_node(element: Any, path: str) -> Node:
    text = element.text
    node = Node(element.tag, path, text.strip() if text else "", [])
    seen: dict[str, int] = {}
    append = node.nodes.append
    for sub in element:
        tag = sub.tag
        if tag in REPEATED:
            seen[tag] = n = seen.get(tag, 0) + 1
            append(_to_node(sub, f"{path}/{tag}[{n}]"))
        else:
            append(_to_node(sub, f"{path}/{tag}"))
    return node


def _strip_unused(element: Any, skipped: Counter[str]) -> None:
    allowed = STRUCTURE.get(element.tag)
    if allowed is None:
        return
    for sub in list(element):
        if not isinstance(sub.tag, str):  # an entity reference or similar: never in a census
            element.remove(sub)
            continue
        if sub.tag not in allowed:
            skipped[f"{element.tag}/{sub.tag}"] += 1
            element.remove(sub)
        else:
            _strip_unused(sub, skipped)


def _our_path(libxml_path: str) -> str:
    """libxml2 leaves out [1] for a lone element; Hearth's paths always index repeatable ones."""
    steps = []
    for step in libxml_path.split("/")[1:]:
        tag = step.split("[", 1)[0]
        steps.append(f"{tag}[1]" if tag in REPEATED and "[" not in step else step)
    return "".join(f"/{s}" for s in steps)


def _schema_problems(element: Any, path: str, child: str, nodes: dict[str, Node]) -> list[Problem]:
    validator = schema()
    if validator.validate(element):
        return []
    problems = []
    for error in validator.error_log:
        where = error.path or ""
        # The element was validated on its own: its paths start at /Child or /Header.
        where = re.sub(rf"^/{element.tag}(\[1\])?", "", where) if where else ""
        where = path + _our_path(where)
        node = nodes.get(where)
        message = re.sub(r"^Element '[^']*'(, attribute '[^']*')?: ", "", error.message)
        problems.append(
            Problem(
                child=child,
                path=where,
                value=node.text if node is not None else "",
                rule="SCHEMA",
                message=f"line {error.line}: {message}",
            )
        )
    return problems


def check_prologue(handle: IO[bytes]) -> None:
    """Refuse a document type declaration before lxml ever sees it."""
    head = handle.read(PROLOGUE_BYTES)
    handle.seek(0)
    root = _ROOT_START.search(head)
    prologue = head[: root.start()] if root else head
    if _DOCTYPE.search(prologue):
        raise CensusFileError(
            file_problem(
                "The file declares a DTD or entities (<!DOCTYPE …>). A CIN census file never "
                "does, and entity declarations are how XML bombs and external-entity attacks "
                "work, so Hearth refuses the file without reading it.",
                rule="XML_DTD",
            )
        )


def read(handle: IO[bytes], header: Header, skipped: Counter[str]) -> Iterator[ChildElement]:
    """Every child in the file, in order. Raises CensusFileError for a file-level problem.

    `header` is filled in when the header has been read (before the first child); `skipped`
    counts the unused modules removed, by parent and element name.
    """
    check_prologue(handle)
    events = etree.iterparse(
        handle,
        events=("start", "end"),
        tag=("Message", "Header", "Child"),
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    index = 0
    saw_root = saw_header = False
    try:
        for event, element in events:
            if event == "start":
                if element.tag == "Message" and not saw_root:
                    saw_root = True
                    if element.getparent() is not None:
                        raise CensusFileError(file_problem("Message must be the root element."))
                    if element.getroottree().docinfo.doctype:
                        raise CensusFileError(
                            file_problem("The file declares a DTD: refused.", rule="XML_DTD")
                        )
                continue
            if element.tag == "Header":
                saw_header = True
                _read_header(element, header, skipped)
                continue
            if element.tag != "Child":
                continue
            parent = element.getparent()
            if (
                not saw_root
                or parent is None
                or parent.tag != "Children"
                or parent.getparent() is None
                or parent.getparent().tag != "Message"
            ):
                raise CensusFileError(
                    file_problem(
                        f"line {element.sourceline}: a <Child> must be inside <Message><Children>.",
                        path=element.getroottree().getpath(element),
                    )
                )
            if not saw_header:
                raise CensusFileError(
                    file_problem("The file has no <Header> before its children.", path="/Message")
                )
            index += 1
            yield read_child(element, index, skipped)
            # Free what has been read: the element, and its siblings before it.
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else "?"
        raise CensusFileError(
            file_problem(f"The file is not well-formed XML (line {line}): {error.msg}")
        ) from error
    if not saw_root:
        raise CensusFileError(
            file_problem("The file's root element is not <Message>: not a CIN census return.")
        )
    if not saw_header:
        raise CensusFileError(file_problem("The file has no <Header>.", path="/Message"))


def _read_header(element: Any, header: Header, skipped: Counter[str]) -> None:
    _strip_unused(element, skipped)
    node = _to_node(element, "/Message/Header")
    problems = _schema_problems(element, "/Message/Header", "", {n.path: n for n in node.walk()})
    if problems:
        first = problems[0]
        raise CensusFileError(
            file_problem(
                f"The header is not valid: {first.message}",
                path=first.path,
                value=first.value,
                rule="SCHEMA",
            )
        )
    details = node.first("CollectionDetails")
    source = node.first("Source")
    assert details is not None  # the schema requires it
    header.collection = details.value("Collection")
    header.year = int(details.value("Year"))
    header.reference_date = details.date("ReferenceDate")
    if source is not None:
        header.lea = source.value("LEA")
        header.software = source.value("SoftwareCode")


def read_child(element: Any, index: int, skipped: Counter[str]) -> ChildElement:
    path = f"{CHILD_PATH}[{index}]"
    _strip_unused(element, skipped)
    node = _to_node(element, path)
    identifiers = node.first("ChildIdentifiers")
    la_child_id = identifiers.value("LAchildID") if identifiers is not None else ""
    label = la_child_id or f"(child {index}, no LAchildID)"
    problems = _schema_problems(element, path, label, {n.path: n for n in node.walk()})
    return ChildElement(
        index=index,
        path=path,
        la_child_id=label,
        node=None if problems else node,
        problems=problems,
    )
