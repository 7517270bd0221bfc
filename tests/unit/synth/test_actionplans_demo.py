"""The demo's action plans tell the story the partnership needs to see: improving agencies, one
worsening objective, an overdue update, evidence and training, the same every time."""

from datetime import date

import pytest

from hearth.actionplans import reporting
from hearth.actionplans.models import ActionUpdate, ImpactEvidence, SignOff
from hearth.lib.periods import Quarter
from hearth.synth.bulk import reset_database
from hearth.synth.demo import create_demo_users
from hearth.synth.generator import Generator
from hearth.workforce import reporting as training
from hearth.workforce.models import Attendance

AS_OF = date(2026, 3, 31)
LAST = Quarter.last_complete(AS_OF)  # 2025Q4


def demo() -> None:
    generator = Generator(people=600, entries=3_000, seed=3, as_of=AS_OF, demo_families=True)
    result = generator.run()
    create_demo_users(result.demo["families"], AS_OF)  # type: ignore[arg-type]


def snapshot() -> list[tuple[str, str, str]]:
    return list(
        ActionUpdate.objects.order_by("pk").values_list(
            "action__objective__plan__agency__code", "quarter", "rag"
        )
    )


@pytest.mark.django_db
def test_the_demo_has_plans_movement_overdue_evidence_and_training() -> None:
    demo()
    rows = reporting.heatmap(LAST, today=AS_OF)
    assert len(rows) >= 3
    by_agency = {r["agency"]: r["objectives"] for r in rows}
    movements = [c["movement"] for cells in by_agency.values() for c in cells.values()]
    assert movements.count("improved") >= 3 and "worse" in movements
    police = next(cells for name, cells in by_agency.items() if "olice" in name)
    assert police["respond"]["movement"] == "worse" and police["respond"]["rag"] == "red"
    overdue = reporting.overdue_updates(LAST, today=AS_OF)
    assert {i["reason"] for i in overdue} == {"no_update", "past_due"}
    for quarter in LAST.trailing(4):
        assert reporting.rag_counts(quarter)["total"] >= 10
    assert SignOff.objects.filter(quarter=LAST.code).count() == 2  # the police's has a gap
    assert ImpactEvidence.objects.filter(updates__isnull=False).exists()
    assert Attendance.objects.count() > 40
    start = LAST.previous(3).start
    assert sum(r["trained"] for r in training.practitioners_trained(start, AS_OF)) > 10
    assert all(r["change"] and r["change"] > 0 for r in training.confidence_change(start, AS_OF))
    first = snapshot()
    reset_database()  # keeps the toolkit's published tools, which the demo's Family A uses
    demo()
    assert snapshot() == first
