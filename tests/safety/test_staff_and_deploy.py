"""The admin door: lockout after failed logins, TOTP two-factor, CSRF, no open redirects, deploy check."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from outcry.actions.models import Action
from tests.conftest import make_staff
from tests.safety.conftest import human, stored_anywhere

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ATTACKER = "203.0.113.66"


def login(client: Client, password: str, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": "staffer", "password": password, **extra}, REMOTE_ADDR=ATTACKER)


def test_repeated_failed_logins_lock_the_door_even_for_the_right_password(client, organisation, caplog):
    make_staff(organisation, "staffer")
    caplog.set_level(logging.INFO)
    for _ in range(4):
        assert login(client, "wrong").status_code == 200
    assert login(client, "wrong").status_code == 429  # the fifth failure locks
    locked = login(client, "pw-for-tests-only")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lockout is kept under a keyed hash: the address is in neither the database nor the logs.
    assert not stored_anywhere(ATTACKER)
    assert ATTACKER not in caplog.text


def test_a_good_login_after_a_few_failures_still_works(client, organisation):
    make_staff(organisation, "staffer")
    for _ in range(2):
        login(client, "wrong")
    assert login(client, "pw-for-tests-only").status_code == 302


def test_with_2fa_a_password_alone_does_not_open_the_admin(client, organisation, settings):
    settings.OUTCRY_STAFF_2FA = True
    user = make_staff(organisation, "staffer")
    out = StringIO()
    call_command("add_totp_device", "staffer", stdout=out)
    assert out.getvalue().startswith("otpauth://totp/")
    device = TOTPDevice.objects.get(user=user)

    client.force_login(user)
    assert client.get("/admin/").status_code == 302  # a password session is not enough

    fresh = Client()
    no_code = fresh.post("/admin/login/?next=/admin/", {"username": "staffer", "password": "pw-for-tests-only"})
    assert no_code.status_code == 200 and "_auth_user_id" not in fresh.session
    wrong = fresh.post("/admin/login/?next=/admin/", {"username": "staffer", "password": "pw-for-tests-only", "otp_device": device.persistent_id, "otp_token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in fresh.session
    time.sleep(1.1)  # django-otp refuses any code for a second after a wrong one
    good = fresh.post("/admin/login/?next=/admin/", {"username": "staffer", "password": "pw-for-tests-only", "otp_device": device.persistent_id, "otp_token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert fresh.get("/admin/").status_code == 200


def test_admin_login_never_redirects_off_site(client, organisation):
    make_staff(organisation, "staffer")
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        response = Client().post(f"/admin/login/?next={target}", {"username": "staffer", "password": "pw-for-tests-only"})
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]


def test_action_form_ignores_next_and_referral_urls(client, campaign, supporter, settings):
    settings.BENCH_EXEMPT_LOOPBACK = True
    response = client.post("/c/free-them/?next=https://evil.example/", supporter | {"next": "https://evil.example/", "ref": "https://evil.example/", "via": "//evil.example"})
    assert response.status_code == 303 and response["Location"] == "/c/free-them/thanks/"
    action = Action.objects.get()
    assert (action.referred_by, action.source) == ("", Action.Source.DIRECT)
    thanks = client.get("/c/free-them/thanks/?next=https://evil.example/")
    assert thanks.status_code == 200 and "evil.example" not in thanks.content.decode()


@pytest.mark.parametrize("path", ["/c/free-them/", "/privacy/my-data/"])
def test_every_public_form_needs_the_csrf_token(campaign, supporter, path):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, human(supporter), REMOTE_ADDR="198.51.100.30")
    assert response.status_code == 403


@pytest.mark.parametrize("headers", [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_SEC_FETCH_SITE": "same-site"}, {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}])
def test_a_cross_site_post_without_a_token_is_refused(campaign, supporter, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/c/free-them/", human(supporter), REMOTE_ADDR="198.51.100.31", **headers)
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_the_deploy_check_insists_on_a_csrf_middleware(settings):
    from outcry.safety.checks import csrf_middleware_installed

    assert csrf_middleware_installed() == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "csrf" not in m.lower()]
    assert [e.id for e in csrf_middleware_installed()] == ["outcry.E001"]


def test_public_pages_send_a_strict_policy(client, campaign):
    response = client.get("/c/free-them/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def production_env(**extra: str) -> dict:
    # A production process starts from a clean environment, not the test run's (Playwright's async flag and the like).
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL"}}
    return env | {"OUTCRY_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": "https://act.example.org"} | extra


def test_check_deploy_passes_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_an_insecure_production_setting():
    # The check is real: turning HTTPS redirection off in production is reported.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(SECURE_SSL_REDIRECT="0"), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr


def test_production_turns_on_staff_2fa_and_secure_cookies():
    code = "from django.conf import settings as s; print(s.OUTCRY_STAFF_2FA, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "31536000"], result.stderr
