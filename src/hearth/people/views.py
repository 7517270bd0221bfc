"""Finding a person, the child's page and the household view."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hearth.access.helpers import get_person_for_user
from hearth.agencies.models import Agency
from hearth.audit.models import AuditAction
from hearth.chronology.forms import ChronologyFilterForm
from hearth.linkage.merge import survivor_to_show
from hearth.people.child_page import build_child_page
from hearth.people.forms import SearchForm
from hearth.people.households import current_q
from hearth.people.models import Person, Residence
from hearth.people.search import SearchQuery
from hearth.people.services import audited_search


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[Person] | None = None
    if form.is_bound and form.is_valid():
        query = SearchQuery(**form.cleaned_data)
        if query.is_empty:
            form.add_error(None, "Enter a name, date of birth, NHS number, UPN or postcode.")
        else:
            results = audited_search(request, query)
    current_addresses = {}
    if results:
        for res in Residence.objects.filter(current_q(), person__in=results).select_related(
            "address"
        ):
            current_addresses[res.person_id] = res.address
    rows = [(p, current_addresses.get(p.pk)) for p in results or []]
    return render(request, "people/search.html", {"form": form, "results": results, "rows": rows})


def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    # A record merged into another lives on as the survivor's page.
    if (survivor := survivor_to_show(request.user, person_id)) is not None:
        return redirect("people:detail", person_id=survivor)
    filter_form = ChronologyFilterForm(request.GET or None, agencies=Agency.objects.all())
    filters = filter_form.to_filters() if filter_form.is_bound and filter_form.is_valid() else None
    person = get_person_for_user(request, person_id)
    try:
        offset = max(int(request.GET.get("offset", 0)), 0)
    except ValueError:
        offset = 0
    page = build_child_page(request.user, person, filters=filters, offset=offset)
    paging = request.GET.copy()
    paging.pop("offset", None)
    return render(
        request,
        "people/detail.html",
        {
            "page": page,
            "person": person,
            "filter_form": filter_form,
            "today": timezone.localdate(),
            "paging_query": f"{paging.urlencode()}&" if paging else "",
            # One reverse() for the page rather than one per entry: /chronology/<child>/entries/
            "entry_url_prefix": reverse("chronology:history", args=[person.pk, 0]).removesuffix(
                "0/"
            ),
        },
    )


def household(request: HttpRequest, person_id: int) -> HttpResponse:
    """All the people, children first, who live now at this person's address(es)."""
    if (survivor := survivor_to_show(request.user, person_id)) is not None:
        return redirect("people:household", person_id=survivor)
    person = get_person_for_user(request, person_id, audit_action=AuditAction.VIEW_HOUSEHOLD)
    addresses = []
    for residence in Residence.objects.filter(current_q(), person=person).select_related("address"):
        residents = list(
            Residence.objects.filter(current_q(), address=residence.address)
            .select_related("person")
            .order_by("person__kind", "person__date_of_birth")
        )
        past = list(
            Residence.objects.filter(address=residence.address, end_date__lt=timezone.localdate())
            .select_related("person")
            .order_by("-end_date")
        )
        addresses.append({"address": residence.address, "residents": residents, "past": past})
    return render(
        request,
        "people/household.html",
        {"person": person, "addresses": addresses, "today": timezone.localdate()},
    )
