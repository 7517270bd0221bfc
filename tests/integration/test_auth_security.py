"""Signing in and staying signed in: password hashing, lockout, multi-factor sign-in, session
timeout, CSRF, the content security policy, and production settings that pass Django's deploy check.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.access.policy import POLICIES
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry
from tests.conftest import page_text, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories/accounts.py
OFFICE = "10.1.1.1"
OTHER_OFFICE = "10.2.2.2"

# A subprocess sees only these from the test's environment, so nothing the test run (or another
# test) has set, such as HEARTH_ENV=test or DJANGO_ALLOW_ASYNC_UNSAFE, leaks into "production".
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


def production_env(tmp_path: Any, **overrides: str | None) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env.update(
        HEARTH_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="hearth.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def hearth_command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hearth.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def sign_in_with_password(client: Client, username: str, password: str, ip: str = OFFICE) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def audit_rows(*actions: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=actions).order_by("id"))


def current_token(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_token(device: TOTPDevice) -> str:
    # Not the code for any time step the device would accept (it tolerates one step either side).
    accepted = {current_token(device, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(t for t in (f"{n:06d}" for n in range(1_000_000)) if t not in accepted)


def record_urls(world: Any) -> list[str]:
    """A URL for every record-level page in the policy table, pointing at Amy."""
    from tests.integration.test_url_policy import ROUTES, record_ids

    ids = record_ids(world)
    urls = [r.url(ids) for r in ROUTES if r.policy is not None and r.policy.record_level]
    assert len(urls) == sum(1 for p in POLICIES.values() if p.record_level)
    return urls


class TestPasswordHashing:
    def test_production_hashes_passwords_with_argon2(self, tmp_path):
        code = "from hearth import settings; print('\\n'.join(settings.PASSWORD_HASHERS))"
        result = run_python(code, production_env(tmp_path))
        assert result.returncode == 0, result.stderr
        hashers = result.stdout.split()
        assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
        assert not any("MD5" in h or "SHA1" in h or "Unsalted" in h for h in hashers)

    def test_argon2_is_installed_and_verifies(self):
        encoded = make_password(PASSWORD, hasher="argon2")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password(PASSWORD, encoded)
        assert not check_password(PASSWORD + "!", encoded)


class TestSignInAudit:
    def test_a_sign_in_leaves_exactly_one_audit_row(self, world):
        response = sign_in_with_password(Client(), "alice", PASSWORD)
        assert response.status_code == 302
        [row] = audit_rows(AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED)
        assert (row.action, row.actor_username, row.ip_address) == (
            AuditAction.SIGN_IN,
            "alice",
            OFFICE,
        )

    def test_a_failed_sign_in_leaves_exactly_one_audit_row(self, world):
        response = sign_in_with_password(Client(), "alice", "not her password")
        assert response.status_code == 200
        [row] = audit_rows(AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED)
        assert (row.action, row.actor_username, row.ip_address) == (
            AuditAction.SIGN_IN_FAILED,
            "alice",
            OFFICE,
        )
        assert row.actor_id is None

    def test_a_sign_in_with_an_unknown_user_name_is_audited_too(self, world):
        sign_in_with_password(Client(), "mallory", "guess")
        [row] = audit_rows(AuditAction.SIGN_IN_FAILED)
        assert row.actor_username == "mallory"

    def test_the_failed_password_is_never_written_to_the_audit_trail(self, world):
        sign_in_with_password(Client(), "alice", "hunter2-secret-guess")
        assert not AuditEvent.objects.filter(details__icontains="hunter2").exists()
        assert "hunter2" not in str(list(AuditEvent.objects.values()))


class TestLockout:
    def fail(self, username: str, ip: str, times: int) -> list[int]:
        return [
            sign_in_with_password(Client(), username, "wrong password", ip).status_code
            for _ in range(times)
        ]

    def test_repeated_failures_lock_that_user_name_at_that_address(self, world):
        limit = settings.AXES_FAILURE_LIMIT
        statuses = self.fail("alice", OFFICE, limit)
        assert statuses[:-1] == [200] * (limit - 1)
        assert statuses[-1] == 429
        # Even the right password is now refused from that address.
        response = sign_in_with_password(Client(), "alice", PASSWORD, OFFICE)
        assert response.status_code == 429
        assert "_auth_user_id" not in Client().session

    def test_every_attempt_including_locked_out_ones_is_audited_once(self, world):
        limit = settings.AXES_FAILURE_LIMIT
        self.fail("alice", OFFICE, limit)
        sign_in_with_password(Client(), "alice", PASSWORD, OFFICE)
        rows = audit_rows(AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED)
        assert [r.action for r in rows] == [AuditAction.SIGN_IN_FAILED] * (limit + 1)

    def test_the_same_user_name_from_another_address_is_not_locked(self, world):
        self.fail("alice", OFFICE, settings.AXES_FAILURE_LIMIT)
        assert sign_in_with_password(Client(), "alice", PASSWORD, OTHER_OFFICE).status_code == 302

    def test_another_user_at_the_same_address_is_not_locked(self, world):
        self.fail("alice", OFFICE, settings.AXES_FAILURE_LIMIT)
        assert sign_in_with_password(Client(), "bob", PASSWORD, OFFICE).status_code == 302

    def test_failures_below_the_limit_do_not_lock(self, world):
        self.fail("alice", OFFICE, settings.AXES_FAILURE_LIMIT - 1)
        assert sign_in_with_password(Client(), "alice", PASSWORD, OFFICE).status_code == 302


class TestMultiFactor:
    def test_multi_factor_is_required_outside_demo_mode(self):
        assert settings.HEARTH_REQUIRE_MFA

    def test_a_user_without_an_authenticator_is_sent_to_set_one_up(self, world):
        client = Client()
        response = sign_in_with_password(client, "alice", PASSWORD)
        assert response.status_code == 302
        response = client.get(response["Location"])
        assert response.status_code == 302
        assert response["Location"].split("?")[0] == reverse("accounts:mfa_setup")

    def test_a_user_without_an_authenticator_cannot_reach_any_record_page(self, world):
        urls = record_urls(world)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = page_text(response)
                assert "Amy" not in body and "Archer" not in body, url
                if url.startswith("/api/"):
                    assert response.status_code == 403, url
                else:
                    assert response.status_code == 302, url
                    location = response["Location"]
                    assert location.split("?")[0] == reverse("accounts:mfa_setup"), url
                    # Where the user was going is kept for after the check.
                    assert "next=" in location, url
        assert not AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON).exists()

    def test_a_user_whose_code_is_not_yet_checked_is_sent_to_verify(self, world):
        TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        target = reverse("people:detail", args=[world.amy.pk])
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:mfa_verify") + "?" + urlencode(
            {"next": target}
        )

    def test_a_correct_code_enrols_the_authenticator_and_opens_the_records(self, world):
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        assert client.get(reverse("accounts:mfa_setup")).status_code == 200
        device = TOTPDevice.objects.get(user=world.alice, confirmed=False)
        response = client.post(reverse("accounts:mfa_setup"), {"token": current_token(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.MFA_ENROLLED, actor_id=world.alice.pk
            ).count()
            == 1
        )
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 200

    def test_a_wrong_code_at_enrolment_is_refused_and_audited(self, world):
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        client.get(reverse("accounts:mfa_setup"))
        device = TOTPDevice.objects.get(user=world.alice, confirmed=False)
        response = client.post(reverse("accounts:mfa_setup"), {"token": wrong_token(device)})
        assert response.status_code == 200
        assert "not right" in page_text(response)
        device.refresh_from_db()
        assert not device.confirmed
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.MFA_FAILED, actor_id=world.alice.pk
            ).count()
            == 1
        )
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 302

    def test_a_correct_code_at_sign_in_verifies_the_session(self, world):
        device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        response = client.post(reverse("accounts:mfa_verify"), {"token": current_token(device)})
        assert response.status_code == 302
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 200

    def test_a_wrong_code_at_sign_in_is_refused_and_audited(self, world):
        device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        response = client.post(reverse("accounts:mfa_verify"), {"token": wrong_token(device)})
        assert response.status_code == 200
        assert "not right" in page_text(response)
        [row] = audit_rows(AuditAction.MFA_FAILED)
        assert row.actor_username == "alice"
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 302

    def test_after_verifying_the_user_is_never_sent_off_site(self, world):
        device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        url = reverse("accounts:mfa_verify") + "?next=https://evil.example.com/phish"
        response = client.post(url, {"token": current_token(device)})
        assert response.status_code == 302
        assert "evil.example.com" not in response["Location"]

    def test_after_verifying_the_user_returns_to_the_page_they_asked_for(self, world):
        device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
        client = Client()
        sign_in_with_password(client, "alice", PASSWORD)
        target = reverse("people:detail", args=[world.amy.pk])
        response = client.post(
            reverse("accounts:mfa_verify") + f"?next={target}", {"token": current_token(device)}
        )
        assert response["Location"] == target


class TestSessionIdleTimeout:
    def idle_for(self, client: Client, seconds: float) -> None:
        session = client.session
        session["last_activity"] = time.time() - seconds
        session.save()

    def test_an_idle_session_is_signed_out(self, client, world):
        sign_in(client, world.alice)
        assert client.get(reverse("web:home")).status_code == 200
        self.idle_for(client, settings.SESSION_IDLE_TIMEOUT_SECONDS + 5)
        response = client.get(reverse("people:detail", args=[world.amy.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "Amy" not in page_text(response)
        assert "_auth_user_id" not in client.session
        assert (
            AuditEvent.objects.filter(action=AuditAction.SIGN_OUT, actor_id=world.alice.pk).count()
            == 1
        )
        # Still signed out on the next request: it goes to sign-in, not to the record.
        response = client.get(reverse("people:detail", args=[world.amy.pk]))
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )

    def test_an_active_session_stays_signed_in(self, client, world):
        sign_in(client, world.alice)
        client.get(reverse("web:home"))
        self.idle_for(client, settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 200

    def test_sessions_end_when_the_browser_closes(self):
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        assert settings.SESSION_COOKIE_HTTPONLY


class TestCSRF:
    def test_sign_in_without_a_csrf_token_is_refused(self, world):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        )
        assert response.status_code == 403
        assert "_auth_user_id" not in client.session

    def test_adding_an_entry_without_a_csrf_token_is_refused(self, world):
        client = sign_in(Client(enforce_csrf_checks=True), world.alice)
        response = client.post(reverse("chronology:add", args=[world.amy.pk]), {"description": "x"})
        assert response.status_code == 403
        assert not ChronologyEntry.objects.exists()

    def test_sign_in_with_the_csrf_token_from_the_form_works(self, world):
        client = Client(enforce_csrf_checks=True)
        form = client.get(reverse("accounts:login")).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        data = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        assert client.post(reverse("accounts:login"), data).status_code == 302


class TestContentSecurityPolicy:
    def directives(self, response: Any) -> dict[str, list[str]]:
        header = response["Content-Security-Policy"]
        parsed = {}
        for part in header.split(";"):
            words = part.split()
            if words:
                parsed[words[0]] = words[1:]
        return parsed

    def test_every_page_carries_a_policy_that_forbids_inline_script(self, client, world):
        sign_in(client, world.alice)
        for url in (reverse("web:home"), reverse("people:detail", args=[world.amy.pk])):
            response = client.get(url)
            assert response.status_code == 200
            policy = self.directives(response)
            assert policy["script-src"] == ["'self'"], url
            assert policy["default-src"] == ["'self'"]
            assert policy["object-src"] == ["'none'"]
            assert policy["frame-ancestors"] == ["'none'"]
            assert "'unsafe-inline'" not in response["Content-Security-Policy"]
            assert "'unsafe-eval'" not in response["Content-Security-Policy"]

    def test_the_policy_is_enforced_not_report_only(self, client, db):
        response = client.get(reverse("accounts:login"))
        assert "Content-Security-Policy" in response
        assert "Content-Security-Policy-Report-Only" not in response

    def test_pages_contain_no_inline_script_the_policy_would_block(self, client, world):
        pages = [Client().get(reverse("accounts:login"))]
        sign_in(client, world.alice)
        pages += [
            client.get(reverse("web:home")),
            client.get(reverse("people:detail", args=[world.amy.pk])),
        ]
        for response in pages:
            html = page_text(response)
            for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
                assert "src=" in tag, tag
            assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE)
            assert "javascript:" not in html.lower()


class TestProductionSettings:
    def test_deploy_check_is_clean_with_production_settings(self, tmp_path):
        result = hearth_command("check", "--deploy", env=production_env(tmp_path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout, result.stdout + result.stderr

    @pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
    def test_production_without_a_required_setting_fails_loudly_with_a_hint(
        self, tmp_path, variable
    ):
        result = hearth_command("check", env=production_env(tmp_path, **{variable: None}))
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert variable in result.stderr
        last_line = result.stderr.strip().splitlines()[-1]
        assert variable in last_line

    def test_production_without_a_secret_key_says_how_to_make_one(self, tmp_path):
        result = hearth_command("check", env=production_env(tmp_path, SECRET_KEY=None))
        assert "long random SECRET_KEY" in result.stderr

    def test_production_is_the_default_mode(self, tmp_path):
        result = hearth_command(
            "check", env=production_env(tmp_path, HEARTH_ENV=None, SECRET_KEY=None)
        )
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_production_turns_debug_off_and_cookies_secure(self, tmp_path):
        code = (
            "from hearth import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.HEARTH_REQUIRE_MFA, s.SECURE_SSL_REDIRECT)"
        )
        result = run_python(code, production_env(tmp_path))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "True", "True", "True", "True"]


def test_behind_a_trusted_proxy_audit_records_the_client_address(client, world, settings):
    from django.test import RequestFactory

    from hearth.audit.actions import client_ip

    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.3"
    )
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request) == "10.0.0.3"
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request) == "203.0.113.9"
