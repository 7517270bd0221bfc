from typing import Any

from django import forms

from hearth.agencies.models import Agency
from hearth.episodes.models import AbuseCategory
from hearth.plans.models import ActionStatus
from hearth.web.forms import DateField, GovukFormMixin


class PlanActionForm(GovukFormMixin, forms.Form):
    who_name = forms.CharField(
        label="Who will do it",
        required=False,
        max_length=200,
        help_text="A named person: 'Kim Patel, health visitor' or 'Mandy Archer (mother)', not 'parents' or 'all agencies'.",
    )
    who_person = forms.TypedChoiceField(
        label="Or choose a carer in the family",
        coerce=int,
        empty_value=None,
        required=False,
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Family (no agency)",
    )
    what = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what will be done."},
    )
    outcome = forms.CharField(
        label="How we will know it has worked (measurable outcome)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What will be different for the child, and how you will measure it: 'Amy attends school every day (over 95%) for 6 weeks'.",
    )
    by_when = DateField(label="By when", required=False)
    review_date = DateField(label="When it will be reviewed", required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.OPEN,
        widget=forms.RadioSelect,
    )
    progress_note = forms.CharField(
        label="Progress", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self, *args: Any, carers: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who_person"].choices = [("", "Not a carer"), *(carers or [])]  # type: ignore[attr-defined]


class PlanReviewForm(GovukFormMixin, forms.Form):
    review_date = DateField(
        label="Date of the review", error_messages={"required": "Enter the date of the review."}
    )
    category = forms.ChoiceField(
        label="Category of abuse",
        choices=AbuseCategory.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    category_rationale = forms.CharField(
        label="Why this category",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The evidence for the category. Neglect that is also emotional harm should say so.",
    )
    category_still_right = forms.TypedChoiceField(
        label="Is this still the right category?",
        choices=[("yes", "Yes"), ("no", "No, it has changed")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
