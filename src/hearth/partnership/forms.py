from django import forms

from hearth.agencies.models import Agency
from hearth.lib.periods import Quarter
from hearth.partnership import reference
from hearth.partnership.models import PopulationSource, ReportingSettings


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


class ReportingSettingsForm(forms.ModelForm):
    """The authority is checked against the published files, so a typo cannot silently leave the
    dataset without comparisons."""

    class Meta:
        model = ReportingSettings
        fields = [
            "la_code",
            "population_source",
            "fixed_child_population",
            "theme_points",
            "theme_relative",
            "theme_min_denominator",
        ]
        widgets = {"population_source": forms.RadioSelect}

    def clean_la_code(self) -> str:
        code = (self.cleaned_data.get("la_code") or "").strip()
        if not code:
            return ""
        found = reference.resolve_la(code)
        if found is None:
            raise forms.ValidationError(
                f"No local authority with code {code!r} in the published DfE files: give the old "
                "number (e.g. 938) or the new code (e.g. E10000032), and load the files first "
                "with `hearth reference load`"
            )
        return found.old_la_code or found.area_code

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        source = data.get("population_source")
        if source == PopulationSource.FIXED and not data.get("fixed_child_population"):
            self.add_error("fixed_child_population", "Enter the child population to use")
        if source == PopulationSource.ONS and not data.get("la_code"):
            self.add_error("la_code", "Choose the local authority whose ONS estimate to use")
        return data
