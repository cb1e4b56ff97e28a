from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

os.environ.setdefault("OUTCRY_TESTING", "1")
# Tests act from 127.0.0.1 far more often than a person could; tests/safety switch this off to attack
# the rate limits and the bot checks themselves.
os.environ.setdefault("BENCH_EXEMPT_LOOPBACK", "1")

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from outcry.campaigns.management.commands.load_demo import campaigners_group
from outcry.campaigns.models import Campaign, Organisation, Target


def pytest_configure(config: pytest.Config) -> None:
    # Each xdist worker keeps its cache keys apart, and clears only its own: cache.clear() on Redis
    # empties the whole database, under the feet of the other workers' rate limits and counts.
    from django.conf import settings

    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    settings.CACHES["default"]["KEY_PREFIX"] = f"outcry-test-{worker}"
    if "limits" in settings.CACHES:
        settings.CACHES["limits"]["KEY_PREFIX"] = f"outcry-test-{worker}-limits"
    # The environment variable above reaches servers the tests start; settings may have been read
    # before this file was imported (a run without xdist), so set the setting itself too.
    settings.BENCH_EXEMPT_LOOPBACK = os.environ["BENCH_EXEMPT_LOOPBACK"] == "1"
    # Compiled catalogues are build output (git-ignored): refresh stale ones once, in the main
    # process before any xdist worker starts, so a plain `pytest` tests today's translations.
    if hasattr(config, "workerinput") or not shutil.which("msgfmt"):
        return
    for po in Path(__file__).resolve().parent.parent.glob("outcry/locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


def _clear_cache() -> None:
    from django.conf import settings

    if not settings.REDIS_URL:
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    # The pages' keys and the rate limits' (outcry/safety/ratelimit.py), which live under their own prefix.
    keys = [key for alias in ("default", "limits") if alias in settings.CACHES
            for key in client.scan_iter(match=f"{settings.CACHES[alias]['KEY_PREFIX']}:*", count=1000)]
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from outcry.actions import counting

    _clear_cache()
    counting._noted.clear()  # thank-you views this process tallied without Redis
    yield
    _clear_cache()
    counting._noted.clear()


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Rights Now", slug="rights-now", about="<p>We defend rights.</p>")


@pytest.fixture
def campaign(organisation) -> Campaign:
    campaign = Campaign.objects.create(
        organisation=organisation,
        slug="free-them",
        status=Campaign.Status.LIVE,
        title="Free them now",
        summary="People are held without charge.",
        story="<p>The story.</p>",
        action_kind=Campaign.ActionKind.LETTER,
        delivery_mode=Campaign.DeliveryMode.INDIVIDUAL,
        goal=100,
        consent_wording="Yes, Rights Now may email me.",
        letter_subject="Free them",
        letter_salutation="Dear Minister,",
        letter_body="Please free them.\n\nThey have done nothing wrong.",
        letter_signoff="Yours sincerely,",
    )
    Target.objects.create(campaign=campaign, name="A Minister", title="Minister of the Interior", email="minister@example.org", position=0)
    Target.objects.create(campaign=campaign, name="A President", title="President", email="president@example.org", position=1)
    return campaign


@pytest.fixture
def supporter() -> dict[str, str]:
    return {"first_name": "Amal", "last_name": "Haddad", "email": "amal@example.com", "country": "GB", "postcode": "N1 9GU"}


def make_staff(organisation: Organisation, username: str):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=True)
    user.groups.add(campaigners_group())
    organisation.staff.add(user)
    return user


@pytest.fixture
def staff_client(client, organisation):
    client.force_login(make_staff(organisation, "staffer"))
    return client


@pytest.fixture
def database_away(transactional_db):
    """database_away(): a context in which this process's database connection points at a place with no
    database (a closed port; for SQLite a file in a directory that does not exist), as in an outage."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def away():
        saved = dict(connection.settings_dict)
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-outcry-dir/none.sqlite3"
        else:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                closed_port = s.getsockname()[1]
            connection.settings_dict.update(HOST="127.0.0.1", PORT=closed_port)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)

    return away


def offer_languages(campaign: Campaign, *languages: str) -> None:
    """The campaign offers these languages, each translated enough to be complete (title, story, letter);
    a translation the test made already keeps its own words."""
    from outcry.campaigns.models import CampaignTranslation

    for language in languages:
        row, _created = CampaignTranslation.objects.get_or_create(campaign=campaign, language=language)
        for field in ("title", "story", "letter_body"):
            if not getattr(row, field):
                setattr(row, field, f"{field} {language}")
        row.save()
    campaign.offered_languages = sorted(set(campaign.offered_languages) | set(languages))
    campaign.save(update_fields=["offered_languages"])


@pytest.fixture
def offer():
    return offer_languages
