"""The generated population measured against England 2024-25, as `hearth generate` reports it."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.db.models import F, Q

from hearth.episodes.models import AbuseCategory, Episode, EpisodeKind
from hearth.people.models import Person, PersonKind

# England 2024-25 (DfE Characteristics of children in need), as rates of the child population.
ENGLAND = {
    "referrals_per_child_year": 0.052,
    "cin_rate_at_census": 0.033,
    "cp_rate_at_census": 0.0041,
    "cp_neglect_share": 0.50,
    "cp_repeat_share": 0.24,
    "cp_ended_within_3_months": 0.16,
}


@dataclass
class Calibration:
    children: int
    referrals_per_child_year: float
    cin_rate_at_census: float
    cp_rate_at_census: float
    cp_neglect_share: float
    cp_repeat_share: float
    cp_ended_within_3_months: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _open_on(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def measure(as_of: date) -> Calibration:
    year_start = as_of - timedelta(days=365)
    children = (
        Person.objects.filter(
            kind=PersonKind.CHILD,
            date_of_birth__lte=as_of,
            date_of_birth__gt=as_of - timedelta(days=int(18 * 365.25)),
        ).count()
        or 1
    )
    referrals = Episode.objects.filter(
        kind=EpisodeKind.REFERRAL, start_date__gt=year_start, start_date__lte=as_of
    )
    cin = Episode.objects.filter(_open_on(as_of), kind=EpisodeKind.REFERRAL).exclude(
        screening_status="screening"
    )
    cp = Episode.objects.filter(kind=EpisodeKind.CP_PLAN)
    cp_open = cp.filter(_open_on(as_of))
    cp_open_n = cp_open.count()
    started = cp.filter(start_date__gt=year_start, start_date__lte=as_of)
    ended = cp.filter(end_date__gt=year_start, end_date__lte=as_of)
    ended_n = ended.count()
    started_n = started.count()
    return Calibration(
        children=children,
        referrals_per_child_year=referrals.count() / children,
        cin_rate_at_census=cin.values("child_id").distinct().count() / children,
        cp_rate_at_census=cp_open_n / children,
        cp_neglect_share=cp_open.filter(initial_category=AbuseCategory.NEGLECT).count()
        / max(cp_open_n, 1),
        cp_repeat_share=started.filter(number_of_previous_cpp__gt=0).count() / max(started_n, 1),
        cp_ended_within_3_months=ended.filter(
            end_date__lt=F("start_date") + timedelta(days=91)
        ).count()
        / max(ended_n, 1),
    )


def report_lines(result: Calibration) -> list[str]:
    lines = [f"{'measure':<28} {'generated':>10} {'England 2024-25':>16}"]
    for key, target in ENGLAND.items():
        lines.append(f"{key:<28} {getattr(result, key):>10.4f} {target:>16.4f}")
    return lines
