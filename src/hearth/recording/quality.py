"""Recording quality in bulk: the analyser run over what agencies have recorded, for audits and
the partnership's Quantify and Evaluate objectives. Advice in aggregate, never a verdict on a
practitioner: figures are by agency, not by person."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from hearth.chronology.models import ChronologyEntry, EntryStatus
from hearth.recording.analyser import analyse
from hearth.toolkit.engine import analysed_texts
from hearth.toolkit.models import ResponseStatus, ToolResponse


@dataclass
class AgencyQuality:
    agency: str
    records: int = 0
    flagged: int = 0
    flags: Counter[str] = field(default_factory=Counter)

    @property
    def flagged_share(self) -> float | None:
        return round(100 * self.flagged / self.records, 1) if self.records else None


def _entry_texts(since: date, until: date) -> Iterator[tuple[str, str, bool]]:
    entries = (
        ChronologyEntry.objects.filter(
            status=EntryStatus.ACTIVE, event_date__gte=since, event_date__lte=until
        )
        .exclude(source_system="hearth-toolkit")
        .values_list("agency__name", "description", "impact_on_child", "event_type__is_concern")
        .iterator(chunk_size=5000)
    )
    for agency, description, impact, concern in entries:
        # A concern should say what it means for the child, in either field.
        yield agency, f"{description}\n{impact}".strip(), bool(concern)


def _tool_texts(since: date, until: date) -> Iterator[tuple[str, str, bool]]:
    responses = ToolResponse.objects.filter(
        status=ResponseStatus.COMPLETED, effective_date__gte=since, effective_date__lte=until
    ).select_related("agency", "tool_version")
    for r in responses.iterator(chunk_size=500):
        texts = analysed_texts(r.tool_version.definition, r.answers)
        if texts:
            yield r.agency.name, "\n".join(text for text, _ in texts.values()), False


def recording_quality(since: date, until: date) -> list[AgencyQuality]:
    """Chronology entries and completed tools recorded in the period, by agency: how many drew
    advice, and which advice."""
    by_agency: dict[str, AgencyQuality] = {}
    for source in (_entry_texts(since, until), _tool_texts(since, until)):
        for agency, text, expect_impact in source:
            row = by_agency.setdefault(agency, AgencyQuality(agency))
            row.records += 1
            flags = analyse(text, expect_impact=expect_impact)
            if flags:
                row.flagged += 1
                row.flags.update(f.code for f in flags)
    return sorted(by_agency.values(), key=lambda r: r.agency)
