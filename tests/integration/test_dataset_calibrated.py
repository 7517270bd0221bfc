"""On the generated population, the indicators that match DfE definitions come out near England
2024-25, the figures the generator was calibrated to (`hearth.synth.calibration.ENGLAND`).

Tolerances are those of the generator's own calibration test: 60,000 people give about 13,000
children and only some 50 child protection plans at a time, so shares move by several points
between seeds.
"""

from datetime import date

import pytest

from hearth.lib.periods import Period
from hearth.partnership import dataset as datasets
from hearth.synth import generator as gen
from hearth.synth.calibration import ENGLAND
from hearth.synth.generator import Generator

AS_OF = date(2026, 3, 31)
YEAR = Period(date(2025, 4, 1), AS_OF, "2025-26")


@pytest.mark.django_db
def test_national_calibrated_indicators_come_out_near_england():
    generator = Generator(
        people=60_000, entries=60_000, seed=gen.DEFAULT_SEED, as_of=AS_OF, demo_families=False
    )
    generator.run()
    data = datasets.compute(YEAR)

    def value(code: str) -> float:
        figure = data.row(code).current.figure
        assert figure.value is not None, code
        return figure.value

    # Children on plans at 31 March, per 10,000 children (England 41): as the generator's test.
    assert 25 <= value("cp_children") <= 65
    assert ENGLAND["cp_rate_at_census"] * 10_000 == pytest.approx(41)
    # Initial category neglect, share of plans at 31 March (England 50%).
    assert 35 <= value("cp_neglect_share_initial") <= 65
    # Second or subsequent plans among plans started in the year (England 24%).
    assert 10 <= value("cp_repeat_ever") <= 40
    # Plans ended in the year that lasted 3 months or less (England 16%).
    assert 6 <= value("cp_ended_3m") <= 30
    # Referrals in the year per 10,000 children (England 520), within 20%.
    assert value("referrals") == pytest.approx(
        ENGLAND["referrals_per_child_year"] * 10_000, rel=0.2
    )
