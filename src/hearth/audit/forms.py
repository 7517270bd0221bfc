from typing import Any

from django import forms

from hearth.accounts.models import User
from hearth.web.forms import GovukFormMixin


class PersonAuditForm(GovukFormMixin, forms.Form):
    person_id = forms.IntegerField(
        label="Record number",
        min_value=1,
        help_text="The number in the record's address, /people/123/",
    )


class UserAuditForm(GovukFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label="User", queryset=User.objects.order_by("username"), to_field_name="username"
    )
    start = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "govuk-input govuk-input--width-20"}
        ),
    )
    end = forms.DateTimeField(
        label="To",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "govuk-input govuk-input--width-20"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end must be after the start.")
        return data
