"""Audited person search, shared by the search screen and the API."""

from django.http import HttpRequest

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.people.models import Person
from hearth.people.search import SearchQuery, search_people


def audited_search(request: HttpRequest, query: SearchQuery) -> list[Person]:
    """One audit row per search, naming every person the user was shown."""
    results = search_people(request.user, query)
    record(
        action=AuditAction.SEARCH,
        by=request.user,
        request=request,
        details={"query": query.as_dict(), "person_ids": [p.pk for p in results]},
    )
    return results
