from typing import Any

from django import forms

from hearth.accounts.models import Role
from hearth.chronology.models import DateAccuracy, EventType, NeglectDomain, SharingLevel
from hearth.chronology.queries import ChronologyFilters
from hearth.web.forms import DateField, GovukFormMixin


class EntryForm(GovukFormMixin, forms.Form):
    subjects = forms.TypedMultipleChoiceField(
        label="Who is this about?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose everyone the entry is about. It will show on each of their chronologies.",
    )
    whole_household = forms.BooleanField(
        label="This is about the whole household at the child's current address",
        required=False,
        help_text="A household entry appears on the chronology of every child who lives there.",
    )
    event_date = DateField(
        label="Date of the event", error_messages={"required": "Enter the date of the event."}
    )
    date_accuracy = forms.ChoiceField(
        label="How exact is the date?",
        choices=DateAccuracy.choices,
        initial=DateAccuracy.DAY,
        widget=forms.RadioSelect,
    )
    event_type = forms.ModelChoiceField(
        label="What kind of event",
        queryset=EventType.objects.filter(active=True),
        empty_label="Choose an event type",
        error_messages={"required": "Choose what kind of event this was."},
    )
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Facts: what you saw, heard or were told, and by whom. Say what you saw, not a summary: "
        "'a strong smell of urine; dog faeces on the kitchen floor', not 'poor home conditions'.",
        error_messages={"required": "Describe what happened."},
    )
    impact_on_child = forms.CharField(
        label="What this means for the child",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The impact on this child's daily life, health, safety or development.",
        error_messages={"required": "Say what this means for the child."},
    )
    sharing_level = forms.ChoiceField(
        label="Who can see this entry",
        choices=SharingLevel.choices,
        initial=SharingLevel.PARTNERSHIP,
        widget=forms.RadioSelect,
    )
    restricted_roles = forms.MultipleChoiceField(
        label="Roles that may see a restricted entry",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for entries restricted to named roles.",
        choices=[
            (r.value, r.label)
            for r in Role
            if r in (Role.TEAM_MANAGER, Role.SCREENER, Role.IG_OFFICER, Role.PRACTITIONER)
        ],
    )

    def __init__(
        self, *args: Any, subject_choices: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].choices = subject_choices or []  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("subjects") and not data.get("whole_household"):
            self.add_error("subjects", "Choose who the entry is about, or the whole household.")
        if data.get("sharing_level") == SharingLevel.RESTRICTED and not data.get(
            "restricted_roles"
        ):
            self.add_error("restricted_roles", "Choose which roles may see a restricted entry.")
        return data


class AmendForm(GovukFormMixin, forms.Form):
    event_date = DateField(label="Date of the event")
    date_accuracy = forms.ChoiceField(
        label="How exact is the date?", choices=DateAccuracy.choices, widget=forms.RadioSelect
    )
    event_type = forms.ModelChoiceField(
        label="What kind of event", queryset=EventType.objects.filter(active=True)
    )
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 5}))
    impact_on_child = forms.CharField(
        label="What this means for the child", widget=forms.Textarea(attrs={"rows": 3})
    )
    sharing_level = forms.ChoiceField(
        label="Who can see this entry", choices=SharingLevel.choices, widget=forms.RadioSelect
    )
    restricted_roles = EntryForm.base_fields["restricted_roles"]
    reason = forms.CharField(
        label="Why are you amending this entry?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The original stays in the entry's history, with your reason.",
    )


class RetractForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you retracting this entry?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, recorded on the wrong child. The entry stays in the history, marked retracted.",
    )


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    agency = forms.TypedMultipleChoiceField(
        label="Agency", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    event_type = forms.ModelMultipleChoiceField(
        label="Event type",
        queryset=EventType.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "govuk-select hearth-multi", "size": 6}),
    )
    domain = forms.MultipleChoiceField(
        label="Neglect domain",
        choices=[c for c in NeglectDomain.choices if c[0]],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)
    include_retracted = forms.BooleanField(label="Show retracted entries", required=False)

    def __init__(self, *args: Any, agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]  # type: ignore[attr-defined]

    def to_filters(self) -> ChronologyFilters:
        d = self.cleaned_data
        return ChronologyFilters(
            agency_ids=d.get("agency") or [],
            event_type_ids=[e.pk for e in d.get("event_type") or []],
            domains=d.get("domain") or [],
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            include_retracted=bool(d.get("include_retracted")),
        )
