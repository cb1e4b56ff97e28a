from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


def test_embed_lists_the_campaigns_sites_in_frame_ancestors(client, campaign):
    campaign.embed_allowed_origins = "https://partner.example.org\nhttp://127.0.0.1:9999/\n\nnot an origin; script-src *"
    campaign.save()
    response = client.get("/c/free-them/embed/")
    assert response.status_code == 200
    assert frame_ancestors(response) == "frame-ancestors 'self' https://partner.example.org http://127.0.0.1:9999"
    assert "X-Frame-Options" not in response
    # The rest of the site's policy still applies inside the frame.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "Free them now" in html and "?via=embed" in html and 'target="_blank"' in html


def test_other_pages_still_refuse_framing(client, campaign):
    response = client.get("/c/free-them/")
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_embed_with_no_sites_is_only_framed_by_ourselves(client, campaign):
    assert frame_ancestors(client.get("/c/free-them/embed/")) == "frame-ancestors 'self'"


def test_embed_costs_what_stats_cost(client, campaign, django_assert_max_num_queries):
    client.get("/c/free-them/embed/")
    with django_assert_max_num_queries(1):
        client.get("/c/free-them/embed/")


def test_admin_shows_the_snippet(staff_client, campaign):
    html = staff_client.get(f"/admin/reports/campaignreport/{campaign.pk}/dashboard/").content.decode()
    assert "&lt;iframe src=&quot;http://127.0.0.1:8000/c/free-them/embed/&quot;" in html
