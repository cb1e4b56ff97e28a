"""Log lines carry no bearer token, no email address and no client address (README: Security and privacy).

Several links are bearer tokens: `/privacy/my-data/<token>/` reads and erases a supporter's data for seven
days, and confirm, unsubscribe (`/u/<token>/`), return (`/c/<slug>/r/<token>/`) and studio preview links act
for whoever holds them. Django names a request's path in its warnings ("Not Found: …", "Forbidden (CSRF…): …")
and the web server in its access log, so one filter redacts every line, on every handler: Django's console
(settings.LOGGING, web and worker alike) and granian's access log (outcry/granian-logging.json, which also
leaves out the client's address). Imports no Django, so granian's own process can load it.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# The path segment after each kind of token link, up to the next slash, space, quote or query. Also
# "…/my-data/x<token>/" and other near misses: everything after the prefix up to the slash goes.
TOKEN_PATH = re.compile(r"(/(?:privacy/my-data|confirm|u|r|preview)/)(?!resend/)[^/\s?#\"'<>]+")
# Any segment holding a Django signature (value:timestamp:signature, or value:signature) is a token too.
SIGNED_SEGMENT = re.compile(r"(?<=/)[\w.\-]*:[\w\-]{6,}(?::[\w\-]{6,})?(?=[/\s?#\"']|$)")
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)


def redact_path(path: str) -> str:
    return SIGNED_SEGMENT.sub(REDACTED, TOKEN_PATH.sub(rf"\g<1>{REDACTED}", path))


def redact(text: str) -> str:
    """A log message without token paths or email addresses."""
    return EMAIL.sub("[email]", redact_path(text))


class RedactingFilter(logging.Filter):
    """For Django's handlers: the finished message (and any traceback) redacted before a formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class AccessLogFilter(logging.Filter):
    """For granian's access log, whose record carries its fields as a dict: the path redacted, the address gone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            fields = dict(record.args)
            fields["path"] = redact(str(fields.get("path", "")))
            fields["query_string"] = redact(str(fields.get("query_string", "")))
            fields["addr"] = "-"
            record.args = fields
        else:
            record.msg, record.args = redact(record.getMessage()), None
        return True
