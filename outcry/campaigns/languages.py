"""Which language a page speaks, and the language-prefixed addresses that carry it.

Every page answers at its plain address (/c/<slug>/), in the visitor's language: the language
cookie if set, else Accept-Language, else LANGUAGE_CODE. The same page also answers under a
language prefix (/fr/c/<slug>/, /ar/...), which always wins: a shared link opens in the language
the sharer read it in, whatever the friend's browser says. Inside a prefixed request every
reverse() carries the prefix too, so the form, the thank-you redirect and the share links stay in
that language without any view knowing about it.

Django's i18n_patterns cannot do both: with prefix_default_language=False an unprefixed address
always means LANGUAGE_CODE, and with True every unprefixed address redirects, a POST included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format

SHARE_PARAMS = ("ref", "via", "utm_source", "utm_medium", "utm_campaign")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def split_language_prefix(path: str) -> tuple[str, str]:
    """('fr', '/c/x/') for '/fr/c/x/'; ('', path) when the path has no language prefix."""
    first, slash, rest = path.lstrip("/").partition("/")
    if slash and first in language_codes():
        return first, "/" + rest
    return "", path


class LanguageMiddleware:
    """Stands in for django.middleware.locale.LocaleMiddleware (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code, rest = split_language_prefix(request.path_info)
        base_prefix = get_script_prefix()
        previous_language = translation.get_language()
        request.base_script_prefix = base_prefix  # type: ignore[attr-defined]
        request.language_from_path = code  # type: ignore[attr-defined]
        if code:
            request.path_info = rest
            translation.activate(code)
            set_script_prefix(f"{base_prefix}{code}/")
        else:
            translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # The script prefix and the active language are thread-locals: a request must not leave
            # its language on the code that runs next in the same thread (a test, a worker's task).
            set_script_prefix(base_prefix)
            translation.activate(previous_language)
        if not code:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str
    url: str
    current: bool


def language_choices(request: HttpRequest) -> list[LanguageChoice]:
    """This page in each language, by its prefixed address, for the switcher and hreflang links."""
    base = getattr(request, "base_script_prefix", "/")
    # No query: the page is one shared copy whatever its address; the page's script adds the share
    # parameters to these links (static/campaigns/js/page.js).
    current = translation.get_language()
    choices = []
    for code in language_codes():
        info = translation.get_language_info(code)
        url = f"{base}{code}{request.path_info}"
        choices.append(LanguageChoice(code, info["name_local"], url, code == current))
    return choices


def thousand_separator() -> str:
    """The separator the server's own numbers use in this language ("" where it groups none, as in Arabic)."""
    return number_format(1000, force_grouping=True)[1:-3]


def languages(request: HttpRequest) -> dict:
    """Template context: the switcher's choices and the number format the live counter copies."""
    return {
        "language_choices": language_choices(request),
        "thousand_separator": thousand_separator(),
        "site_url": settings.SITE_URL,
    }
