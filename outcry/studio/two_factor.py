"""Two-factor sign-in, enrolled from the studio: a TOTP device shown as a QR code drawn here (no third
party sees the secret), confirmed by one code, then ten single-use recovery codes shown once.

Where the site requires two-factor (OUTCRY_STAFF_2FA), a person with no device yet signs in with the
password alone and is sent here before any other studio page; one with a device must give a code.
"""

from __future__ import annotations

import base64
import secrets

import segno
from django.contrib.auth.models import User
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
DEVICE_NAME = "studio"


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; the same one until it is confirmed (reloading keeps the QR)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code", svgclass="qr")


def secret_text(device: TOTPDevice) -> str:
    """The key for typing into an app by hand, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def confirm_device(device: TOTPDevice, code: str) -> list[str] | None:
    """The recovery codes once the code from the app matches; None when it does not."""
    if not device.verify_token(code.replace(" ", "")):
        return None
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        StaticDevice.objects.filter(user=device.user).delete()
        recovery = StaticDevice.objects.create(user=device.user, name="recovery codes")
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    return codes


def device_for_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """Which of the person's devices a typed code is for: six digits are the app's, anything else a recovery code.
    (django-otp checks a code against one chosen device, so a failure throttles only that one.)"""
    if code.isdigit() and len(code) == 6:
        return TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)
