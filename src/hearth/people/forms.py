from django import forms

from hearth.lib.identifiers import is_valid_nhs_number, is_valid_postcode, is_valid_upn
from hearth.web.forms import DateField, GovukFormMixin


class SearchForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        help_text="Any part of a first name or surname; spelling can be approximate.",
    )
    date_of_birth = DateField(label="Date of birth", required=False)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=14)
    upn = forms.CharField(label="UPN", required=False, max_length=15)
    postcode = forms.CharField(label="Postcode", required=False, max_length=9)

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].strip()
        if value and not is_valid_nhs_number(value):
            raise forms.ValidationError("That is not a valid NHS number: check the 10 digits.")
        return value

    def clean_upn(self) -> str:
        value = self.cleaned_data["upn"].strip()
        if value and not is_valid_upn(value):
            raise forms.ValidationError(
                "That is not a valid UPN: check the letter and 12 characters."
            )
        return value

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if value and not is_valid_postcode(value):
            raise forms.ValidationError("Enter a full UK postcode, like RH10 1AA.")
        return value
