"""The administrator's screen for partner-system credentials: make one (the token is shown once),
see when each was last used, and revoke one with a reason."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from hearth.agencies.models import Agency
from hearth.api import credentials as actions
from hearth.api.models import ApiCredential, Scope
from hearth.lib.http import AuthenticatedRequest
from hearth.web.errors import apply_validation_error
from hearth.web.forms import GovukFormMixin


class CredentialForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the agency whose system will use it."},
    )
    name = forms.CharField(
        label="Partner system",
        max_length=100,
        help_text="For example, the school's management information system",
        error_messages={"required": "Name the partner system the credential is for."},
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what the system may do."},
    )


class RevokeForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it being revoked?",
        max_length=500,
        error_messages={"required": "Say why the credential is being revoked."},
    )


def credentials(request: AuthenticatedRequest) -> HttpResponse:
    form = CredentialForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.create_credential(
                by=request.user,
                agency=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                request=request,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            token = made.token
            form = CredentialForm()
    return render(
        request,
        "api/credentials.html",
        {
            "form": form,
            "token": token,
            "credentials": ApiCredential.objects.select_related("agency"),
            "revoke_form": RevokeForm(),
        },
    )


def revoke(request: AuthenticatedRequest, credential_id: int) -> HttpResponse:
    credential = ApiCredential.objects.filter(pk=credential_id).first()
    if credential is None:
        raise Http404("No such credential")
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.revoke_credential(
                by=request.user,
                credential=credential,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{credential.name} can no longer use the API.")
            return redirect("api:credentials")
    return render(request, "api/revoke.html", {"credential": credential, "form": form})
