from __future__ import annotations

import re

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


@pytest.fixture
def logo(settings, tmp_path, organisation):
    """A small PNG logo, stored in a media folder of the test's own."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 93, 30)).save(out, "PNG")
    organisation.logo.save("rights.png", SimpleUploadedFile("rights.png", out.getvalue()))
    return organisation.logo


def test_embed_wears_the_organisations_colour_from_our_own_stylesheet(client, campaign):
    from django.urls import reverse

    campaign.organisation.brand_colour = "#0b5d1e"
    campaign.organisation.save()
    html = client.get("/c/free-them/embed/").content.decode()
    css_url = reverse("campaigns:brand_css", kwargs={"slug": campaign.organisation.slug, "version": "0b5d1e"})
    assert f'<link rel="stylesheet" href="{css_url}">' in html
    assert client.get(css_url).content.decode().strip() == ":root { --accent: #0b5d1e; }"
    # CSP allows no inline style, and nothing comes from another origin.
    assert "style=" not in html and "<style" not in html
    assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1:8000/c/free-them/)', html)


def test_embed_names_the_organisation_or_shows_its_logo(client, campaign, logo):
    html = client.get("/c/free-them/embed/").content.decode()
    assert f'<img src="/media/{logo.name}" alt="{campaign.organisation.name}"' in html
    campaign.organisation.logo = ""
    campaign.organisation.save()
    html = client.get("/c/free-them/embed/").content.decode()
    assert f'<span class="embed-org" dir="auto">{campaign.organisation.name}</span>' in html and "<img" not in html


def test_embed_without_branding_links_no_brand_stylesheet(client, campaign):
    assert "brand-" not in client.get("/c/free-them/embed/").content.decode()


def test_branded_embed_still_costs_one_query(client, campaign, logo, django_assert_max_num_queries):
    campaign.organisation.brand_colour = "#0b5d1e"
    campaign.organisation.save()
    client.get("/c/free-them/embed/")
    with django_assert_max_num_queries(1):
        assert b"--accent" not in client.get("/c/free-them/embed/").content
