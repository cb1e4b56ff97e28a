"""The counter in a partner's 340×190 iframe wears the organisation's colour and logo, fits without scrolling,
and loads nothing from another origin (issue 17.5)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from outcry.campaigns.models import Campaign
from tests.browser.test_supporter_path import KHOMS, LIBYA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRAME = {"viewport": {"width": 340, "height": 190}}
SEEN = """() => {
  const button = document.querySelector('a.primary'), logo = document.querySelector('.embed-org img');
  const root = document.documentElement;
  return {
    background: getComputedStyle(button).backgroundColor,
    logo: logo ? logo.naturalWidth : null,
    org: document.querySelector('.embed-org').innerText,
    overflow: [root.scrollWidth - root.clientWidth, root.scrollHeight - root.clientHeight],
  };
}"""


@pytest.fixture
def logo(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (240, 80), (15, 94, 99)).save(out, "PNG")
    organisation = Campaign.objects.get(slug=KHOMS.strip("/").split("/")[-1]).organisation
    organisation.logo.save("c4c.png", SimpleUploadedFile("c4c.png", out.getvalue()))


@pytest.mark.parametrize("language", ["", "/ar"])
def test_branded_embed_fits_its_frame_and_stays_on_our_origin(visit, logo, language):
    for path, colour, org in [(KHOMS, "rgb(15, 94, 99)", None), (LIBYA, "rgb(31, 31, 31)", "Amnesty International (demo)")]:
        embed = visit("desktop", label=f"{language}{path}")
        embed.context.set_default_timeout(15_000)
        embed.page.set_viewport_size(FRAME["viewport"])
        embed.goto(language + path + "embed/")
        embed.page.wait_for_load_state("load")
        seen = embed.page.evaluate(SEEN)
        assert seen["background"] == colour, (path, seen)
        if org is None:
            assert seen["logo"] == 240, seen  # the logo arrived, from our own /media/
        else:
            assert seen["logo"] is None and seen["org"] == org
        assert seen["overflow"] == [0, 0], (path, seen)
        assert embed.foreign_requests() == []
        assert embed.axe_violations() == []
