"""Deploy checks Django's own cannot make for Outcry's settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def csrf_middleware_installed(app_configs: object = None, **kwargs: object) -> list[Error]:
    # Django's security.W003 looks for CsrfViewMiddleware by name and is silenced in settings.py,
    # because outcry/lib/csrf.py subclasses it; this check makes sure a subclass really is installed.
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        if isinstance(middleware, type) and issubclass(middleware, CsrfViewMiddleware):
            return []
    return [Error("No CSRF middleware (a CsrfViewMiddleware subclass) is installed.", id="outcry.E001")]


@register(Tags.security, deploy=True)
def staff_two_factor(app_configs: object = None, **kwargs: object) -> list[Warning]:
    if settings.OUTCRY_STAFF_2FA:
        return []
    return [Warning("Staff can use the admin with a password alone.", hint="Set OUTCRY_STAFF_2FA=1.", id="outcry.W001")]


@register(Tags.security, deploy=True)
def trusted_proxies_named(app_configs: object = None, **kwargs: object) -> list[Warning]:
    if settings.TRUSTED_PROXIES or not settings.TRUSTED_PROXY_COUNT:
        return []
    return [Warning(
        "TRUSTED_PROXY_COUNT is set without TRUSTED_PROXIES: X-Forwarded-For is believed from any loopback or private address.",
        hint="Set TRUSTED_PROXIES to your reverse proxies' addresses (CIDR list).", id="outcry.W002",
    )]
