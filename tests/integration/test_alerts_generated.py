"""On a generated population, incremental evaluation (one child, or the family of one saved
record's people, as the background evaluator does) finds exactly what the full evaluation finds:
the same alerts, summaries and evidence, whether the rules run in rounds or one after another."""

import io
import random

import pytest
from django.core.management import call_command

from hearth.alerts.engine import evaluate
from hearth.alerts.registry import active_rules
from hearth.people.models import Person, PersonKind
from hearth.synth.generator import DEFAULT_AS_OF

pytestmark = pytest.mark.django_db


def keyed(findings):
    return {(f.rule, f.child_id): (f.summary, f.evidence) for f in findings}


def test_incremental_and_full_evaluation_agree_on_a_generated_population():
    call_command("generate", people=800, entries=8_000, demo_users=False, stdout=io.StringIO())
    rules = {code: r.params for code, r in active_rules().items()}
    full = keyed(evaluate(DEFAULT_AS_OF, rules=rules).findings)
    # The population exercises the rules, so the comparison means something.
    assert len({rule for rule, _ in full}) >= 8, sorted({rule for rule, _ in full})

    by_child = {}
    for child in Person.objects.filter(kind=PersonKind.CHILD).values_list("pk", flat=True):
        by_child |= keyed(evaluate(DEFAULT_AS_OF, child_ids=[child], rules=rules).findings)
    assert by_child == full

    people = list(Person.objects.values_list("pk", flat=True))
    for person in random.Random(4).sample(people, 60):
        # In rounds (as on PostgreSQL by default, in pipeline mode) and one rule after another.
        for in_rounds in (True, False):
            evaluation = evaluate(DEFAULT_AS_OF, people=[person], rules=rules, in_rounds=in_rounds)
            scope = set(evaluation.children or ())  # the children the evaluation covered
            assert keyed(evaluation.findings) == {
                key: found for key, found in full.items() if key[1] in scope
            }
