"""Forms for training sessions, attendance with confidence, and targets."""

from typing import Any

from django import forms

from hearth.accounts.models import User
from hearth.agencies.models import Agency
from hearth.web.forms import DateField, GovukFormMixin, PlanYearField, apply_govuk_classes
from hearth.workforce.models import ConfidenceItem, CourseType

CONFIDENCE_CHOICES = [
    ("", "Not answered"),
    ("1", "1 – not at all confident"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 – very confident"),
]


class SessionForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter the title of the session."},
    )
    held_on = DateField(label="Date", error_messages={"required": "Enter the date it was held."})
    course_type = forms.ChoiceField(
        label="Kind of course",
        choices=CourseType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of course."},
    )
    agency = forms.ModelChoiceField(
        label="Delivered by",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="The partnership (multi-agency)",
    )

    def __init__(
        self, *args: Any, agencies: Any = None, partnership: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        if agencies is not None:
            field.queryset = agencies  # type: ignore[attr-defined]
        if not partnership:
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]


class AttendanceForm(GovukFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label="Practitioner with a Hearth log-in",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not listed: enter their name below",
    )
    name = forms.CharField(label="Or their name", max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label="Their agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        help_text="Needed only when you enter a name.",
    )

    def __init__(self, *args: Any, users: Any = None, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.display_name}, {u.agency.name if u.agency else 'no agency'}"
        )
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        for item in ConfidenceItem:
            for when in ("before", "after"):
                self.fields[f"{item.value}_{when}"] = forms.TypedChoiceField(
                    label=f"{item.label}: confidence {when} the session",
                    choices=CONFIDENCE_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        apply_govuk_classes(self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user") and not (data.get("name") or "").strip():
            self.add_error("name", "Choose the practitioner, or enter their name and agency.")
        elif not data.get("user") and not data.get("agency"):
            self.add_error("agency", "Choose the practitioner's agency.")
        return data

    def confidence_fields(self) -> list[Any]:
        """The bound before/after fields, in the order they are asked."""
        return [
            self[f"{item.value}_{when}"] for item in ConfidenceItem for when in ("before", "after")
        ]

    def confidence(self) -> dict[str, tuple[int | None, int | None]]:
        return {
            item.value: (
                self.cleaned_data.get(f"{item.value}_before"),
                self.cleaned_data.get(f"{item.value}_after"),
            )
            for item in ConfidenceItem
        }


class TargetForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the agency."},
    )
    plan_year = PlanYearField()
    practitioners = forms.IntegerField(
        label="Practitioners to train",
        min_value=0,
        error_messages={
            "required": "Enter how many practitioners the agency aims to train.",
            "invalid": "Enter a whole number of practitioners.",
            "min_value": "The target cannot be negative.",
        },
    )
