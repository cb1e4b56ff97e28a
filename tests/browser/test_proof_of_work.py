"""The proof of work in a real Chromium: our own altcha.js solves it while the supporter types, so the
action counts; with JavaScript off the same form is held for review. The anti-abuse checks are on here
(the rest of the suite runs with BENCH_EXEMPT_LOOPBACK)."""

from __future__ import annotations

import time

import pytest

from outcry.actions.models import Action
from outcry.safety.models import Flag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIBYA = "/c/stop-detention-libya/"


def fill(page, email: str) -> None:
    page.get_by_label("First name", exact=True).fill("Amal")
    page.get_by_label("Last name", exact=True).fill("Haddad")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Country", exact=True).select_option("GB")


def test_a_browser_solves_the_challenge_in_the_background_and_counts(visit, settings):
    settings.BENCH_EXEMPT_LOOPBACK = False
    v = visit("phone")
    page = v.page
    started = time.monotonic()
    v.goto(LIBYA)
    loaded = time.monotonic()  # the form's start time was signed before this
    page.wait_for_function("document.querySelector('input[name=altcha]').value.length > 0", timeout=30_000)
    solved_in = time.monotonic() - started
    print(f"proof of work (max {settings.OUTCRY_POW_MAX_NUMBER}) answered {solved_in:.2f}s after navigation")
    fill(page, "amal@example.com")
    page.wait_for_timeout(max(0, settings.OUTCRY_MIN_FILL_SECONDS - (time.monotonic() - loaded)) * 1000 + 300)
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    action = Action.objects.get()
    assert list(action.flags.values_list("reason", flat=True)) == []
    assert action.status == Action.Status.COUNTED and action.passed_challenge
    assert v.foreign_requests() == []


def test_without_javascript_the_action_is_taken_but_held(visit, settings):
    settings.BENCH_EXEMPT_LOOPBACK = False
    v = visit("desktop", java_script_enabled=False)
    page = v.page
    v.goto(LIBYA)
    fill(page, "noscript@example.com")
    page.wait_for_timeout(settings.OUTCRY_MIN_FILL_SECONDS * 1000 + 200)
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    action = Action.objects.get()
    assert action.status == Action.Status.HELD
    assert list(action.flags.values_list("reason", flat=True)) == [Flag.Reason.NO_CHALLENGE]
