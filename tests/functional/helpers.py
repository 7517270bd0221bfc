"""Signing in through the real screens, and where browser artefacts go."""

import base64
import re
from pathlib import Path
from typing import Any

PASSWORD = "correct horse battery staple"
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def totp_code(key: bytes) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def give_authenticator(user: Any) -> bytes:
    """A confirmed TOTP device, as if the user had enrolled before; returns its key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device.bin_key


def enter_password(page: Any, username: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_enrolling(page: Any, username: str) -> str:
    """Password, then first-time MFA set-up using the key shown on the page. Returns the key."""
    enter_password(page, username)
    page.wait_for_url(re.compile(r"/account/mfa/setup/"))
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), f"not a base32 key: {secret!r}"
    page.get_by_label("Code from your authenticator app").fill(totp_code(base64.b32decode(secret)))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/$"))
    return secret


def sign_in_with_code(page: Any, username: str, key: bytes) -> None:
    """Password, then the code from an authenticator the user already has."""
    enter_password(page, username)
    page.wait_for_url(re.compile(r"/account/mfa/verify/"))
    page.get_by_label("Code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/$"))


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/account/sign-in/"))


def settled(page: Any) -> Any:
    """Wait until the page and everything it loads have arrived, before the test reads the database.

    The live server shares the test thread's database connection (in-memory SQLite), so the test
    must not query while a request is still being served.
    """
    page.wait_for_load_state("load")
    return page
