"""Need-to-know: the one place that decides which people and entries a user may see.

Deny by default. A user sees a person only through a legitimate relationship: their agency (or
they themselves) has a current involvement with the person or a member of the person's current
family; or they are a front-door screener and the person's family has a referral under
screening; or they hold an unexpired break-glass grant for that person. Detail pages, lists,
search, counts, exports and the API all call these functions.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from hearth.access.models import BreakGlassGrant, Involvement
from hearth.access.permissions import Permission, role_has_permission
from hearth.accounts.models import Role
from hearth.chronology.models import ChronologyEntry, SharingLevel
from hearth.episodes.models import Episode, EpisodeKind, ScreeningStatus
from hearth.people.households import current_q, family_ids
from hearth.people.models import Person, Relationship, Residence


def _current_involvements_for(user: Any) -> QuerySet[Involvement]:
    mine = Q(practitioner_id=user.pk)
    if user.agency_id:
        mine |= Q(agency_id=user.agency_id)
    return Involvement.objects.filter(mine).filter(current_q())


def relationship_basis(user: Any, person: Person) -> str | None:
    """Why this user may see this person ("involvement", "screening", "break_glass"), or None."""
    if not getattr(user, "is_authenticated", False) or not role_has_permission(
        user.role, Permission.VIEW_RECORDS
    ):
        return None
    family = family_ids(person.pk, current_only=True)
    if _current_involvements_for(user).filter(person_id__in=family).exists():
        return "involvement"
    if (
        user.role == Role.SCREENER
        and Episode.objects.filter(
            kind=EpisodeKind.REFERRAL,
            screening_status=ScreeningStatus.UNDER_SCREENING,
            child_id__in=family,
        ).exists()
    ):
        return "screening"
    if active_grant(user, person) is not None:
        return "break_glass"
    return None


def can_access_person(user: Any, person: Person) -> bool:
    return relationship_basis(user, person) is not None


def active_grant(user: Any, person: Person) -> BreakGlassGrant | None:
    return (
        BreakGlassGrant.objects.filter(
            user_id=user.pk, person_id=person.pk, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def _family_of_ids(anchor_ids: QuerySet) -> list[QuerySet]:
    """Subqueries of person ids in the current family of any anchor person."""
    today_rel = Relationship.objects.filter(current_q())
    anchor_addresses = Residence.objects.filter(current_q(), person_id__in=anchor_ids).values(
        "address_id"
    )
    return [
        anchor_ids,
        today_rel.filter(person_id__in=anchor_ids).values("relative_id"),
        today_rel.filter(relative_id__in=anchor_ids).values("person_id"),
        Residence.objects.filter(current_q(), address_id__in=anchor_addresses).values("person_id"),
    ]


def visible_people(user: Any, base: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Every person this user may see, as a queryset to filter further (search, lists, counts)."""
    base = base if base is not None else Person.objects.all()
    if not getattr(user, "is_authenticated", False) or not role_has_permission(
        user.role, Permission.VIEW_RECORDS
    ):
        return base.none()
    subqueries = _family_of_ids(_current_involvements_for(user).values("person_id"))
    if user.role == Role.SCREENER:
        screening = Episode.objects.filter(
            kind=EpisodeKind.REFERRAL, screening_status=ScreeningStatus.UNDER_SCREENING
        ).values("child_id")
        subqueries += _family_of_ids(screening)
    subqueries.append(
        BreakGlassGrant.objects.filter(user_id=user.pk, expires_at__gt=timezone.now()).values(
            "person_id"
        )
    )
    condition = Q()
    for sub in subqueries:
        condition |= Q(pk__in=sub)
    return base.filter(condition)


def visible_entries(user: Any, entries: QuerySet[ChronologyEntry]) -> QuerySet[ChronologyEntry]:
    """Apply sharing levels: own-agency entries to that agency, restricted ones to named roles."""
    allowed = Q(sharing_level=SharingLevel.PARTNERSHIP)
    if user.agency_id:
        allowed |= Q(sharing_level=SharingLevel.OWN_AGENCY, agency_id=user.agency_id)
    allowed |= Q(sharing_level=SharingLevel.RESTRICTED, restricted_roles__contains=f",{user.role},")
    allowed |= Q(author_id=user.pk)
    return entries.filter(allowed)
