from django import forms

from hearth.agencies.models import Agency
from hearth.lib.periods import Quarter


class DatasetFilterForm(forms.Form):
    """Which quarter, and optionally which agency's children; bad values say how to write them."""

    quarter = forms.CharField(
        required=False, help_text="For example, 2025Q1 (1 January to 31 March 2025)"
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label="All agencies",
    )

    def __init__(self, *args: object, default_quarter: Quarter, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.default_quarter = default_quarter
        self.fields["quarter"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["agency"].widget.attrs["class"] = "govuk-select"

    def clean_quarter(self) -> Quarter:
        text = self.cleaned_data.get("quarter") or ""
        if not text.strip():
            return self.default_quarter
        try:
            return Quarter.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
