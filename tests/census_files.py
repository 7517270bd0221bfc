"""Small synthetic CIN census files for the tests, written out in full so a reader sees the XML.

`CHILD` is one consistent child (every rule passes); tests change it with plain text
replacements, so each case shows exactly what is wrong.
"""

from collections import Counter
from pathlib import Path

from lxml import etree

from hearth.interop.census_xml import ChildElement, read_child

VALID_UPN = "U93801234567A"
OTHER_UPN = "R93800000001B"

HEADER = """<Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>{year}</Year>
      <ReferenceDate>{year}-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>938</LEA>
      <SoftwareCode>Synthetic</SoftwareCode>
      <Release>1</Release>
      <SerialNo>001</SerialNo>
      <DateTime>{year}-04-10T09:00:00</DateTime>
    </Source>
  </Header>"""

CHILD = """<Child>
    <ChildIdentifiers>
      <LAchildID>ID001</LAchildID>
      <UPN>U93801234567A</UPN>
      <PersonBirthDate>2015-05-01</PersonBirthDate>
      <Sex>F</Sex>
    </ChildIdentifiers>
    <ChildCharacteristics>
      <Ethnicity>WBRI</Ethnicity>
      <Disabilities>
        <Disability>NONE</Disability>
      </Disabilities>
    </ChildCharacteristics>
    <CINdetails>
      <CINreferralDate>2024-05-01</CINreferralDate>
      <ReferralSource>3B</ReferralSource>
      <PrimaryNeedCode>N1</PrimaryNeedCode>
      <CINclosureDate>2025-01-10</CINclosureDate>
      <ReasonForClosure>RC7</ReasonForClosure>
      <ReferralNFA>false</ReferralNFA>
      <Assessments>
        <AssessmentActualStartDate>2024-05-03</AssessmentActualStartDate>
        <AssessmentAuthorisationDate>2024-06-01</AssessmentAuthorisationDate>
        <FactorsIdentifiedAtAssessment>
          <AssessmentFactors>16A</AssessmentFactors>
          <AssessmentFactors>3A</AssessmentFactors>
        </FactorsIdentifiedAtAssessment>
      </Assessments>
      <CINPlanDates>
        <CINPlanStartDate>2024-06-02</CINPlanStartDate>
        <CINPlanEndDate>2024-08-20</CINPlanEndDate>
      </CINPlanDates>
      <Section47>
        <S47ActualStartDate>2024-08-15</S47ActualStartDate>
        <InitialCPCtarget>2024-08-30</InitialCPCtarget>
        <DateOfInitialCPC>2024-09-01</DateOfInitialCPC>
        <ICPCnotRequired>false</ICPCnotRequired>
      </Section47>
      <ChildProtectionPlans>
        <CPPstartDate>2024-09-01</CPPstartDate>
        <CPPendDate>2025-01-05</CPPendDate>
        <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
        <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
        <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
        <Reviews>
          <CPPreviewDate>2024-12-01</CPPreviewDate>
        </Reviews>
      </ChildProtectionPlans>
    </CINdetails>
  </Child>"""

SECOND_EPISODE = """<CINdetails>
      <CINreferralDate>{referred}</CINreferralDate>
      <ReferralSource>6</ReferralSource>
      <PrimaryNeedCode>N1</PrimaryNeedCode>{closure}
    </CINdetails>
  </Child>"""


def child(*replacements: tuple[str, str], la_child_id: str = "ID001") -> str:
    """CHILD with each (old, new) replacement made; every `old` must be there."""
    text = CHILD.replace("<LAchildID>ID001<", f"<LAchildID>{la_child_id}<")
    for old, new in replacements:
        assert old in text, f"not in the child: {old}"
        text = text.replace(old, new, 1)
    return text


def with_second_episode(text: str, referred: str, closed: str = "", reason: str = "RC8") -> str:
    closure = (
        f"\n      <CINclosureDate>{closed}</CINclosureDate>"
        f"\n      <ReasonForClosure>{reason}</ReasonForClosure>"
        if closed
        else ""
    )
    return text.replace(
        "</CINdetails>\n  </Child>",
        "</CINdetails>\n    " + SECOND_EPISODE.format(referred=referred, closure=closure),
        1,
    )


def census(*children: str, year: int = 2025, prologue: str = "") -> bytes:
    body = "\n  ".join(children)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prologue}<Message>\n  '
        f"{HEADER.format(year=year)}\n  <Children>\n  {body}\n  </Children>\n</Message>\n"
    ).encode()


def write(path: Path, *children: str, year: int = 2025, prologue: str = "") -> Path:
    path.write_bytes(census(*children, year=year, prologue=prologue))
    return path


def read_one(text: str) -> ChildElement:
    """One child as the importer reads it (unused modules removed, schema checked)."""
    return read_child(etree.fromstring(text.encode()), 1, Counter())
