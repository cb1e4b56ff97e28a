from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outcry.actions.services import keyed_hash
from outcry.api.osdi import signature_dict
from outcry.campaigns.models import Organisation
from outcry.integrations.models import ApiToken, Webhook, WebhookAttempt, WebhookDelivery
from outcry.shared_cache import forget, remembered

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "outcry_"
SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Outcry-Signature"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
POST_TIMEOUT = 10
# A worker that died mid-POST leaves a row "sending"; after this it may be claimed again.
STALE_CLAIM = timedelta(minutes=5)
WEBHOOK_ORGANISATIONS = "webhook-organisations"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, organisation: Organisation, name: str, user=None) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        organisation=organisation, name=name, prefix=token[:12], token_hash=hash_token(token),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return row, token


def organisation_for_token(token: str) -> Organisation | None:
    row = ApiToken.objects.select_related("organisation").filter(token_hash=hash_token(token), revoked_at__isnull=True).first()
    if row is None:
        return None
    # At most one write a minute per token, so a busy sync does not write on every request.
    if row.last_used_at is None or timezone.now() - row.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.organisation


def webhook_secret(webhook: Webhook) -> str:
    """The HMAC key for this webhook, derived again whenever it is needed (see Webhook's docstring)."""
    return SECRET_PREFIX + keyed_hash(webhook.secret_salt, "webhook-secret")


def new_webhook_secret(webhook: Webhook) -> str:
    """Give the webhook a fresh secret (on creation or rotation). Save the webhook; show the result once."""
    webhook.secret_salt = secrets.token_hex(32)
    secret = webhook_secret(webhook)
    webhook.secret_prefix = secret[:12]
    return secret


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does with the Outcry-Signature header (also used by the tests)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


def organisations_with_webhooks() -> frozenset[int]:
    """Organisations with an active webhook, re-read at most once per OUTCRY_LOCAL_CACHE_SECONDS.

    Most organisations have none, and their counted actions should not pay a query to find that out.
    A webhook added or switched off shows at once in the process that saved it (forget_webhook_organisations)
    and within that second in the others.
    """
    return remembered(
        WEBHOOK_ORGANISATIONS, settings.OUTCRY_LOCAL_CACHE_SECONDS,
        lambda: frozenset(Webhook.objects.filter(active=True).values_list("organisation_id", flat=True)),
    )


def forget_webhook_organisations(**kwargs: object) -> None:
    forget(WEBHOOK_ORGANISATIONS)


def queue_webhooks(sender: type, action_id: int, organisation_id: int | None = None, **kwargs: object) -> int:
    """action_counted receiver: owe this action to each of its organisation's active webhooks, once."""
    if organisation_id is not None and organisation_id not in organisations_with_webhooks():
        return 0
    hooks = list(Webhook.objects.filter(active=True, organisation__campaigns__actions=action_id).values_list("pk", flat=True))
    if not hooks:
        return 0
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook_id=hook, action_id=action_id) for hook in hooks], ignore_conflicts=True
    )
    from outcry.integrations.tasks import deliver_webhooks

    transaction.on_commit(deliver_webhooks.enqueue)
    return len(hooks)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (4 ** (attempts - 1)), LONGEST_WAIT)


def _claim(delivery_id: int, now) -> bool:
    """Only the worker whose conditional UPDATE matched posts this delivery."""
    claimable = Q(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]) | Q(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        WebhookDelivery.objects.filter(claimable, pk=delivery_id)
        .update(status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def is_private_destination(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return any(not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)


def payload(delivery: WebhookDelivery) -> bytes:
    action = delivery.action
    body = {
        "event": "action.counted",
        "delivery": delivery.pk,
        "osdi:signature": signature_dict(action, action.campaign.slug),
    }
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    webhook = delivery.webhook
    if not settings.OUTCRY_WEBHOOK_ALLOW_PRIVATE and is_private_destination(webhook.url):
        return None, "refused: the URL resolves to a private address"
    body = payload(delivery)
    request = urllib.request.Request(webhook.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "Outcry-Webhooks/1",
        SIGNATURE_HEADER: sign(webhook_secret(webhook), int(time.time()), body),
        "Outcry-Event": "action.counted",
        "Outcry-Delivery": str(delivery.pk),
    })
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:300]


def deliver(delivery_id: int) -> bool:
    """POST one claimed delivery, log the attempt, and schedule a retry or give up. True if delivered."""
    delivery = WebhookDelivery.objects.select_related("webhook", "action__campaign").get(pk=delivery_id)
    started = time.monotonic()
    status_code, error = _post(delivery)
    duration = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    WebhookAttempt.objects.create(delivery=delivery, at=now, status_code=status_code, error=error, duration_ms=duration)
    ok = status_code is not None and 200 <= status_code < 300
    if ok:
        update = {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= MAX_ATTEMPTS:
        update = {"status": WebhookDelivery.Status.FAILED}
    else:
        update = {"status": WebhookDelivery.Status.RETRYING, "next_try_at": now + backoff(delivery.attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    return ok


def deliver_due(limit: int = 100) -> int:
    """Post every delivery whose time has come (idempotent; safe with several workers). Returns how many succeeded."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING], next_try_at__lte=now)
        | Q(status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ).order_by("next_try_at").values_list("pk", flat=True)[:limit]
    delivered = 0
    for delivery_id in list(due):
        if _claim(delivery_id, now):
            delivered += deliver(delivery_id)
    return delivered

