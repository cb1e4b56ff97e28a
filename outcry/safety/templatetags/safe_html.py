"""`{{ html|sanitised }}`: campaigners' rich text is cleaned when saved and again when shown, so a row
written around the model (a raw UPDATE, an import, an old backup) still cannot put script on a page."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from outcry.lib import sanitise
from outcry.lib.sanitise import sanitise_html

register = template.Library()


@register.filter
def sanitised(value: str) -> SafeString:
    return mark_safe(sanitise_html(str(value or "")))  # noqa: S308 - the allowlist cleaner's output


@register.filter
def safe_url(value: object, also: str = "") -> str:
    """`<a href="{{ x.url|safe_url }}">`: an http(s) address or nothing; `|safe_url:"mailto"` allows mailto too."""
    return sanitise.safe_url(value, sanitise.WEB_SCHEMES + ((also,) if also == "mailto" else ()))


@register.filter
def css_string(value: object) -> SafeString:
    """`content: "{{ title|css_string }}"` inside <style>, where HTML escaping would print &amp; literally."""
    return mark_safe(sanitise.css_string(value))  # noqa: S308 - only letters, digits, spaces and hex escapes


@register.filter
def bdi(value: object) -> SafeString:
    """`{{ name|bdi }}`: someone's own words (a name, a title) isolated from the sentence around them, so
    "راسل UNHCR" or an English name in an Arabic sentence keeps each side's punctuation in place. Works
    inside {% blocktranslate with %} without changing the translated sentence."""
    return format_html("<bdi>{}</bdi>", value)
