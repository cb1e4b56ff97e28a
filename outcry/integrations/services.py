from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation
from outcry.integrations.models import ApiToken, Webhook, WebhookAttempt, WebhookDelivery
from outcry.integrations.osdi import signature_dict
from outcry.lib import safe_http
from outcry.lib.hashing import keyed_hash
from outcry.lib.outbox import Circuit, Gate, Outbox, persist
from outcry.lib.shared_cache import forget, remembered

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "outcry_"
SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Outcry-Signature"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# The whole POST, connection to answer: a receiver that drips its answer is cut off here.
POST_TIMEOUT = 10
WEBHOOK_ORGANISATIONS = "webhook-organisations"
TEST_EVENT = "ping"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    *, organisation: Organisation, name: str, user: User | AnonymousUser | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        organisation=organisation, name=name, prefix=token[:12], token_hash=hash_token(token),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return row, token


def revoke_api_tokens(tokens: QuerySet[ApiToken]) -> int:
    """Revoke these tokens (those still valid); the API refuses them from the next request. Returns how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def check_webhook_url(url: str) -> None:
    """Refuse, before it is saved, a webhook whose host resolves to a private address (unless
    OUTCRY_WEBHOOK_ALLOW_PRIVATE): the same check, by safe_http, that every POST makes again when it connects,
    since the name may resolve elsewhere later. Raises safe_http.Refused."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise safe_http.Refused("only http and https URLs")
    if not settings.OUTCRY_WEBHOOK_ALLOW_PRIVATE:
        safe_http.checked_address(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), allow_private=False)


def create_webhook(*, organisation: Organisation, name: str, url: str) -> tuple[Webhook, str]:
    """A new active webhook and its signing secret, which is shown once and never stored. Raises
    safe_http.Refused for a URL check_webhook_url refuses."""
    check_webhook_url(url)
    webhook = Webhook(organisation=organisation, name=name, url=url)
    secret = new_webhook_secret(webhook)
    webhook.save()
    return webhook, secret


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


def owe_webhooks(*, organisation_id: int, action_ids: list[int], event: str, reason: str = "") -> int:
    """Owe these actions' event to each of the organisation's active webhooks. Call inside the transaction
    that changed the actions, so the deliveries exist exactly when the change does."""
    if organisation_id not in organisations_with_webhooks():
        return 0
    hooks = list(Webhook.objects.filter(active=True, organisation_id=organisation_id).values_list("pk", flat=True))
    if not hooks:
        return 0
    WebhookDelivery.objects.bulk_create([
        WebhookDelivery(webhook_id=hook, action_id=action_id, event=event, reason=reason)
        for hook in hooks for action_id in action_ids
    ])
    from outcry.integrations.tasks import deliver_webhooks

    # The task row is in the same database: it commits with the deliveries (outcry/jobs/scheduling.py).
    deliver_webhooks.enqueue()
    return len(hooks) * len(action_ids)


def owe_counted_webhooks(sender: type, *, campaign: Campaign, actions: list[Action], **kwargs: object) -> None:
    """actions_counted receiver."""
    owe_webhooks(organisation_id=campaign.organisation_id, action_ids=[a.pk for a in actions], event=WebhookDelivery.Event.COUNTED)


def owe_uncounted_webhooks(sender: type, *, campaign: Campaign, action_ids: list[int], because: str, **kwargs: object) -> None:
    """actions_uncounted receiver: the CRM learns which actions stopped counting, and why."""
    owe_webhooks(
        organisation_id=campaign.organisation_id, action_ids=action_ids, event=WebhookDelivery.Event.UNCOUNTED, reason=because,
    )


OUTBOX = Outbox(
    WebhookDelivery, sendable=(WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING), sending=WebhookDelivery.Status.SENDING,
)


def backoff(attempts: int) -> timedelta:
    wait: timedelta = FIRST_RETRY * (4 ** (attempts - 1))
    return min(wait, LONGEST_WAIT)


def webhook_circuit(webhook_id: int) -> Circuit:
    return Circuit(Webhook.objects.filter(pk=webhook_id))


def payload(delivery: WebhookDelivery) -> bytes:
    action = delivery.action
    body: dict[str, object] = {
        "event": delivery.event,
        "delivery": delivery.pk,
        "osdi:signature": signature_dict(action, action.campaign.slug),
    }
    if delivery.event == WebhookDelivery.Event.UNCOUNTED:
        body["reason"] = delivery.reason
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _post(delivery: WebhookDelivery) -> safe_http.Answer:
    return _signed_post(delivery.webhook, payload(delivery), delivery.event, str(delivery.pk))


def _signed_post(webhook: Webhook, body: bytes, event: str, delivery: str) -> safe_http.Answer:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Outcry-Webhooks/1",
        SIGNATURE_HEADER: sign(webhook_secret(webhook), int(time.time()), body),
        "Outcry-Event": event,
        "Outcry-Delivery": delivery,
    }
    return safe_http.post(webhook.url, body, headers, allow_private=settings.OUTCRY_WEBHOOK_ALLOW_PRIVATE, timeout=POST_TIMEOUT)


def send_test_webhook(webhook: Webhook) -> safe_http.Answer:
    """POST a signed "ping" now, as a delivery would be posted (same client, same SSRF check when it
    connects), so the organisation can see its receiver answer; nothing is recorded or retried."""
    body = json.dumps({"event": TEST_EVENT, "webhook": webhook.name}, ensure_ascii=False).encode()
    return _signed_post(webhook, body, TEST_EVENT, "test")


def deliver(delivery_id: int, token: str) -> safe_http.Answer:
    """POST one claimed delivery, log the attempt, and schedule a retry or give up."""
    delivery = WebhookDelivery.objects.select_related("webhook", "action__campaign").get(pk=delivery_id)
    started = time.monotonic()
    with OUTBOX.holding(delivery_id, token):
        answer = _post(delivery)
    duration = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    if answer.status is not None and 200 <= answer.status < 300:
        update = {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= MAX_ATTEMPTS:
        update = {"status": WebhookDelivery.Status.FAILED}
    else:
        update = {"status": WebhookDelivery.Status.RETRYING, "next_try_at": now + backoff(delivery.attempts)}

    def write() -> None:
        with transaction.atomic():
            WebhookAttempt.objects.create(delivery=delivery, at=now, status_code=answer.status, error=answer.error, duration_ms=duration)
            OUTBOX.finish(delivery_id, token, **update)

    persist(write, what=f"record webhook delivery {delivery_id}")
    return answer


def deliver_due(limit: int = 100) -> int:
    """Post every delivery whose time has come (idempotent; safe with several workers). Returns how many succeeded.

    Each webhook has a circuit: a receiver that does not answer is tried once per run (the probe, logged
    as that delivery's attempt, so a dead URL is still given up after MAX_ATTEMPTS), not once per delivery.
    """
    now = timezone.now()
    due = WebhookDelivery.objects.filter(OUTBOX.due(now)).order_by("next_try_at").values_list("pk", "webhook_id")[:limit]
    gates: dict[int, Gate] = {}
    delivered = 0
    for delivery_id, webhook_id in list(due):
        if webhook_id not in gates:
            gates[webhook_id] = webhook_circuit(webhook_id).gate(now)
        if gates[webhook_id] is Gate.OPEN:
            continue
        taken = OUTBOX.claim(delivery_id, now)
        if taken is None:
            continue
        answer = deliver(delivery_id, taken.token)
        if answer.unreachable:
            webhook_circuit(webhook_id).trip(answer.error, now, probing=gates[webhook_id] is Gate.PROBE)
            gates[webhook_id] = Gate.OPEN
        else:
            if gates[webhook_id] is Gate.PROBE:
                webhook_circuit(webhook_id).close()
            gates[webhook_id] = Gate.CLOSED
            delivered += answer.status is not None and 200 <= answer.status < 300
    return delivered
