"""Spike controls (issue 16.7): a campaign's own limits, allowed and blocked networks and domains, set by
its staff in the admin, in force on the next POST, scoped to that campaign, and audited."""

from __future__ import annotations

import pytest
from django.test import Client, TestCase

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation
from outcry.lib import shared_cache
from outcry.safety.controls import controls_for, save_controls
from outcry.safety.models import AuditEntry, CampaignControls, Flag, Wave
from outcry.safety.velocity import find_bursts
from tests.conftest import make_staff
from tests.safety.conftest import human, stored_anywhere

pytestmark = pytest.mark.django_db
STALL = "203.0.113.50"


@pytest.fixture(autouse=True)
def _forget_remembered():
    shared_cache._local.clear()
    yield
    shared_cache._local.clear()


def committed():
    """A save forgets the remembered rules when its transaction commits; the test's own never does."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def other(campaign) -> Campaign:
    return Campaign.objects.create(organisation=campaign.organisation, slug="other", status="live", title="Other", summary="s")


def post(client, slug: str, n: int, ip: str = STALL, domain: str = "example.com", proof: bool = True):
    data = {"first_name": "Amal", "last_name": "Haddad", "email": f"p{n}@{domain}", "country": "GB", "postcode": "N1 9GU"}
    return client.post(f"/c/{slug}/", human(data) if proof else data, REMOTE_ADDR=ip)


def admin_save(staff_client, campaign: Campaign, **values: str):
    """What a campaigner does: the admin's form for this campaign's controls, with a reason."""
    fields = {"ip_limit": "", "domain_limit": "", "allowed_networks": "", "blocked_networks": "", "blocked_domains": ""}
    row = CampaignControls.objects.filter(campaign=campaign).first()
    url = f"/admin/safety/campaigncontrols/{campaign.pk}/change/" if row else "/admin/safety/campaigncontrols/add/"
    with committed():
        response = staff_client.post(url, fields | {"campaign": campaign.pk, "reason": "street stall"} | values)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_raised_network_limit_lets_the_stall_act_on_the_next_post_on_that_campaign_only(client, staff_client, campaign, other, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "2/3600"
    settings.OUTCRY_RATE_IP_SITE = "3/3600"
    assert [post(client, "free-them", n).status_code for n in range(3)] == [303, 303, 429]
    admin_save(staff_client, campaign, ip_limit="10/3600")
    # The next POST, not after a redeploy or a cache expiry: the save forgot the remembered rules.
    assert [post(client, "free-them", n).status_code for n in range(3, 10)] == [303] * 7
    # Scoped: the other campaign keeps the site's limits (and the stall's hits counted site-wide).
    assert post(client, "other", 100).status_code == 429
    assert Action.objects.filter(campaign=campaign).count() == 9


def test_a_lowered_limit_and_a_domain_limit_bite_at_once(client, staff_client, campaign, settings):
    admin_save(staff_client, campaign, domain_limit="2/3600")
    codes = [post(client, "free-them", n, ip=f"198.51.100.{n}", domain="uni.example").status_code for n in range(3)]
    assert codes == [303, 303, 429]


def test_an_allowed_network_skips_the_limit_but_not_the_proof_of_work(client, staff_client, campaign, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "1/3600"
    admin_save(staff_client, campaign, allowed_networks="203.0.113.0/24  # the campus\n2001:db8::/48")
    assert [post(client, "free-them", n).status_code for n in range(5)] == [303] * 5
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 5
    # A script without the proof of work is let through the limit and stepped up as anywhere else.
    assert post(client, "free-them", 99, proof=False).status_code == 303
    bot = Action.objects.get(email="p99@example.com")
    assert bot.status == Action.Status.UNCONFIRMED
    assert list(bot.flags.values_list("reason", flat=True)) == [Flag.Reason.NO_CHALLENGE]
    # Outside the allowed network the limit holds.
    assert [post(client, "free-them", n, ip="198.51.100.1").status_code for n in (200, 201)] == [303, 429]


def test_a_blocked_domain_is_asked_for_another_address_and_nothing_is_stored(client, staff_client, campaign, other):
    admin_save(staff_client, campaign, blocked_domains="spam.example\n@Bad.Example.")
    for domain in ("spam.example", "mx.spam.example", "BAD.example"):
        response = post(client, "free-them", 1, domain=domain)
        assert response.status_code == 400
        assert "cannot accept addresses at this email domain" in response.content.decode()
    assert not Action.objects.exists()
    assert post(client, "free-them", 2, domain="notspam.example").status_code == 303
    assert post(client, "other", 3, domain="spam.example").status_code == 303


def test_a_blocked_network_is_told_plainly_and_nothing_is_stored(client, staff_client, campaign, other):
    admin_save(staff_client, campaign, blocked_networks="203.0.113.0/24", allowed_networks="203.0.113.0/24")
    response = post(client, "free-them", 1)
    assert response.status_code == 403  # blocked wins over allowed
    assert "not accepting actions from your network" in response.content.decode()
    assert not Action.objects.exists()
    assert post(client, "free-them", 2, ip="198.51.100.4").status_code == 303
    assert post(client, "other", 3).status_code == 303


def test_every_change_is_audited_with_who_what_and_why_and_a_resave_is_not(staff_client, campaign):
    admin_save(staff_client, campaign, ip_limit="200/3600", blocked_domains="spam.example")
    admin_save(staff_client, campaign, ip_limit="200/3600", blocked_domains="spam.example")
    admin_save(staff_client, campaign, ip_limit="")
    entries = list(AuditEntry.objects.filter(kind=AuditEntry.Kind.CONTROLS).order_by("pk"))
    assert len(entries) == 2
    assert {e.actor.username for e in entries} == {"staffer"} and {e.campaign_id for e in entries} == {campaign.pk}
    assert entries[0].reason == "street stall"
    assert "200/3600" in entries[0].details and "spam.example" in entries[0].details
    assert entries[1].details == "actions per network: 200/3600 → (default)\nblocked email domains: spam.example → (none)"


def test_controls_are_read_once_per_few_seconds_and_forgotten_on_save(campaign, django_assert_num_queries):
    save_controls(campaign=campaign, user=None, values={"ip_limit": "5/60"})
    with django_assert_num_queries(1):
        controls_for(campaign.pk)
        controls_for(campaign.pk)
    # A write around the service is seen only once the few seconds pass...
    CampaignControls.objects.filter(campaign=campaign).update(ip_limit="7/60")
    assert controls_for(campaign.pk).ip_limit.count == 5
    # ...while a save through it is seen at once.
    with committed():
        save_controls(campaign=campaign, user=None, values={"ip_limit": "9/60"})
    assert controls_for(campaign.pk).ip_limit.count == 9


def test_staff_see_and_change_only_their_own_organisations_controls(client, campaign):
    save_controls(campaign=campaign, user=None, values={"blocked_domains": "spam.example"})
    elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    intruder = Client()
    intruder.force_login(make_staff(elsewhere, "intruder"))
    assert intruder.get("/admin/safety/campaigncontrols/").content.decode().count("Free them now") == 0
    assert intruder.get(f"/admin/safety/campaigncontrols/{campaign.pk}/change/").status_code == 302  # "doesn't exist"
    response = intruder.post("/admin/safety/campaigncontrols/add/", {"campaign": campaign.pk, "blocked_domains": ""})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert controls_for(campaign.pk).blocked_domains == frozenset({"spam.example"})
    assert not AuditEntry.objects.filter(actor__username="intruder").exists()


def test_a_bad_network_or_limit_is_refused_by_the_form(staff_client, campaign):
    response = staff_client.post("/admin/safety/campaigncontrols/add/", {"campaign": campaign.pk, "ip_limit": "lots", "allowed_networks": "10.0.0.0/33"})
    html = response.content.decode()
    assert response.status_code == 200 and "COUNT/SECONDS" in html and "10.0.0.0/33" in html
    assert not CampaignControls.objects.exists() and not AuditEntry.objects.exists()


def test_a_waves_network_is_blocked_by_its_hash_from_the_alerts_page_and_no_address_is_stored(client, staff_client, campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 5
    bot = "2001:db8:7:7::1"
    assert [post(client, "free-them", n, ip=bot).status_code for n in range(6)] == [303] * 6
    page = staff_client.get("/admin/safety/wave/alerts/").content.decode()
    assert "Block this network on this campaign" in page
    wave = next(b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.IP_HASH)
    with committed():
        response = staff_client.post("/admin/safety/wave/alerts/block/", {"campaign": campaign.pk, "ip_hash": wave.value, "reason": "a bot farm"})
    assert response.status_code == 302
    # Another address of the same /64 is the same network: refused on the next POST.
    assert post(client, "free-them", 100, ip="2001:db8:7:7::99").status_code == 403
    assert post(client, "free-them", 101, ip="198.51.100.3").status_code == 303
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.CONTROLS)
    assert entry.reason == "a bot farm" and wave.value in entry.details
    assert stored_anywhere("2001:db8:7:7") == []
