"""Two-factor enrolled from the studio: QR drawn on our server, one code confirms, recovery codes work once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from outcry.campaigns.models import Membership
from tests.studio.conftest import PASSWORD, member

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_with_two_factor_required_a_new_person_enrols_then_signs_in_with_codes(client, organisation, campaign, settings):
    settings.OUTCRY_STAFF_2FA = True
    member(organisation, "amal", Membership.Role.EDITOR)
    signed = client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD})
    assert signed.status_code == 302
    # Password alone is not enough for any studio page: it sends the person to enrol.
    studio = client.get(reverse("studio:campaign", kwargs={"pk": campaign.pk}))
    assert studio["Location"].startswith(reverse("studio:two_factor"))
    page = client.get(reverse("studio:two_factor"))
    assert "<svg" in page.content.decode() and "otpauth" not in page.content.decode()
    device = TOTPDevice.objects.get(user__username="amal", confirmed=False)
    assert client.post(reverse("studio:two_factor"), {"code": "000000" if _code(device) != "000000" else "111111"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # a failed code slows the next try down (django-otp throttling)
    done = client.post(reverse("studio:two_factor"), {"code": _code(device)})
    codes = [c.split("</code>")[0] for c in done.content.decode().split("<code>")[1:]]
    assert len(codes) == 10
    assert client.get(reverse("studio:campaign", kwargs={"pk": campaign.pk})).status_code == 200
    # Next time the password alone fails; a recovery code works, once.
    client.logout()
    assert client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD}).status_code == 200
    r = client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD, "otp_token": codes[0]})
    assert r.status_code == 302, r.context["form"].errors
    client.logout()
    assert client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD, "otp_token": codes[0]}).status_code == 200
