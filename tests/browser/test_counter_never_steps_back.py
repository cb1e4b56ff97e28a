"""The page's live counter never turns back (issue 14 item 5): an answer from a snapshot older than one
already shown (another web process, a cache in between) leaves the higher number in place."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KHOMS = "/c/al-khoms-unhcr/"


def test_an_older_count_from_the_stats_never_replaces_a_newer_one(visit, settings):
    settings.OUTCRY_COUNTER_POLL_MS = 150
    answers = iter([7, 4, 4, 4, 4, 4, 4, 4, 4, 4, 9])  # the server's answers, one per poll; then 9 for ever
    served: list[int] = []

    def stats(route) -> None:
        count = next(answers, 9)
        served.append(count)
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"slug": "al-khoms-unhcr", "count": count}))

    v = visit("phone")
    v.page.route("**/api/v1/campaigns/al-khoms-unhcr/stats", stats)
    v.goto(KHOMS)
    count = v.page.locator("[data-count]")
    expect(count).to_have_text("7", timeout=10_000)
    seen = set()
    for _ in range(100):
        if served.count(4) >= 6:
            break
        seen.add(count.text_content())
        v.page.wait_for_timeout(100)
    assert served.count(4) >= 6, served  # the older answers did arrive…
    assert seen == {"7"}, seen  # …and 7 stayed
    expect(count).to_have_text("9", timeout=10_000)
