"""Sign in, sign out and multi-factor (TOTP) enrolment and verification."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.audit.actions import record
from hearth.audit.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _pending_device(request: HttpRequest) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    return device


def mfa_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(
            f"{reverse('accounts:mfa_verify')}?{urlencode({'next': _safe_next(request)})}"
        )
    device = _pending_device(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(action=AuditAction.MFA_ENROLLED, by=request.user, request=request)
            messages.success(request, "Multi-factor sign-in is set up.")
            return redirect(_safe_next(request))
        record(
            action=AuditAction.MFA_FAILED,
            by=request.user,
            request=request,
            details={"stage": "enrolment"},
        )
        form.add_error(
            "token", "That code is not right. Check the time on your phone and try the newest code."
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/mfa_setup.html", {"form": form, "secret": secret})


def mfa_qr(request: HttpRequest) -> HttpResponse:
    device = _pending_device(request)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def _safe_next(request: HttpRequest) -> str:
    """Where to go after verifying: the page asked for, but never another site (an open redirect)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:home")


def mfa_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        record(action=AuditAction.MFA_FAILED, by=request.user, request=request)
        form.add_error(
            "token", "That code is not right. Try the newest code from your authenticator app."
        )
    return render(request, "accounts/mfa_verify.html", {"form": form})
