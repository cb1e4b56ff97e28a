from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from outcry.actions.models import Action
from outcry.actions.services import confirm_action
from outcry.integrations.models import Webhook, WebhookAttempt, WebhookDelivery
from outcry.integrations.services import SIGNATURE_HEADER, deliver_due, new_webhook_secret, verify, webhook_secret

pytestmark = pytest.mark.django_db


class Receiver:
    """A CRM stand-in on 127.0.0.1: answers 500 to the first POST of each delivery, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.seen: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                delivery = self.headers["Outcry-Delivery"]
                first = delivery not in receiver.seen
                receiver.seen.add(delivery)
                self.send_response(500 if first else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def webhook(campaign, receiver) -> tuple[Webhook, str]:
    hook = Webhook(organisation=campaign.organisation, name="CRM", url=receiver.url)
    secret = new_webhook_secret(hook)
    hook.save()
    return hook, secret


def test_each_counted_action_arrives_once_signed_after_a_500(client, campaign, supporter, webhook, receiver, django_capture_on_commit_callbacks):
    hook, secret = webhook
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            client.post("/c/free-them/", supporter | {"email": f"p{i}@example.com", "first_name": f"P{i}"})
        client.post("/c/free-them/", supporter | {"email": "p0@example.com"})  # duplicate: not counted, not sent
    assert WebhookDelivery.objects.count() == 3

    assert deliver_due() == 0  # every first attempt is answered 500
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"retrying"}
    assert deliver_due() == 0  # not due yet: the backoff holds them
    WebhookDelivery.objects.update(next_try_at=timezone.now() - timedelta(seconds=1))
    assert deliver_due() == 3
    assert deliver_due() == 0

    accepted: dict[str, dict] = {}
    for index, (headers, body) in enumerate(receiver.requests):
        assert verify(secret, headers[SIGNATURE_HEADER], body)
        assert not verify("whsec_wrong", headers[SIGNATURE_HEADER], body)
        if index >= 3:
            payload = json.loads(body)
            accepted.setdefault(payload["osdi:signature"]["identifiers"][0], payload)
    assert len(receiver.requests) == 6
    counted = Action.objects.filter(status="counted")
    assert set(accepted) == {f"outcry:action-{a.pk}" for a in counted}
    assert {p["osdi:signature"]["person"]["given_name"] for p in accepted.values()} == {"P0", "P1", "P2"}
    assert all(p["event"] == "action.counted" for p in accepted.values())
    assert WebhookAttempt.objects.filter(status_code=500).count() == 3
    assert WebhookAttempt.objects.filter(status_code=200).count() == 3
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 2)}


def test_confirmation_sends_the_action_and_other_organisations_hooks_get_nothing(client, campaign, supporter, webhook, other_webhook, django_capture_on_commit_callbacks):
    campaign.double_opt_in = True
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter)
    assert not WebhookDelivery.objects.exists()  # unconfirmed does not count yet
    with django_capture_on_commit_callbacks(execute=True):
        confirm_action(Action.objects.get())
    assert list(WebhookDelivery.objects.values_list("webhook", flat=True)) == [webhook[0].pk]


@pytest.fixture
def other_webhook(db) -> Webhook:
    from outcry.campaigns.models import Organisation

    other = Organisation.objects.create(name="Other NGO", slug="other-ngo")
    hook = Webhook(organisation=other, name="Theirs", url="http://127.0.0.1:9/never")
    new_webhook_secret(hook)
    hook.save()
    return hook


def test_an_unreachable_receiver_is_retried_with_growing_waits_then_given_up(campaign, supporter, client, other_webhook, django_capture_on_commit_callbacks):
    other_webhook.organisation = campaign.organisation
    other_webhook.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter)
    waits = []
    for _ in range(8):
        WebhookDelivery.objects.update(next_try_at=timezone.now() - timedelta(seconds=1))
        # Its circuit is open after the first failure: each later run is the probe, once it is due.
        Webhook.objects.update(circuit_next_probe_at=timezone.now() - timedelta(seconds=1))
        before = timezone.now()
        deliver_due()
        delivery = WebhookDelivery.objects.get()
        waits.append((delivery.next_try_at - before).total_seconds())
    assert delivery.status == "failed" and delivery.attempts == 8
    assert waits[1] > waits[0] * 3
    assert WebhookAttempt.objects.filter(status_code__isnull=True).count() == 8
    assert Webhook.objects.get(pk=other_webhook.pk).circuit_opened_at is not None


def test_a_dead_receiver_costs_one_connection_per_run_not_one_per_delivery(campaign, supporter, client, other_webhook, django_capture_on_commit_callbacks, settings):
    settings.OUTCRY_CIRCUIT_FIRST_SECONDS = 600  # no probe falls due during the test, however slow the machine
    other_webhook.organisation = campaign.organisation
    other_webhook.save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            client.post("/c/free-them/", supporter | {"email": f"p{n}@example.com"})
    assert WebhookDelivery.objects.count() == 5
    deliver_due()
    assert WebhookAttempt.objects.count() == 1  # the circuit opened on the first; the other four wait
    assert WebhookDelivery.objects.filter(status="pending", attempts=0).count() == 4
    deliver_due()
    assert WebhookAttempt.objects.count() == 1  # open: no probe before its time


def test_the_secret_is_derived_not_stored(webhook):
    hook, secret = webhook
    stored = " ".join(str(value) for value in Webhook.objects.filter(pk=hook.pk).values().get().values())
    assert secret not in stored and webhook_secret(Webhook.objects.get(pk=hook.pk)) == secret


def test_admin_shows_a_new_webhook_secret_once(staff_client, campaign, receiver):
    response = staff_client.post("/admin/integrations/webhook/add/", {
        "organisation": campaign.organisation.pk, "name": "CRM", "url": receiver.url, "active": "on",
    })
    html = response.content.decode()
    secret = html.split("data-secret", 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("whsec_") and webhook_secret(Webhook.objects.get()) == secret
    assert secret not in staff_client.get("/admin/integrations/webhook/").content.decode()


def test_a_webhook_added_after_actions_gets_the_next_one(client, campaign, supporter, receiver, django_capture_on_commit_callbacks):
    # The first action finds no webhook and remembers that; adding one must not wait for the memory to expire.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter)
    assert not WebhookDelivery.objects.exists()
    hook = Webhook(organisation=campaign.organisation, name="CRM", url=receiver.url)
    new_webhook_secret(hook)
    hook.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter | {"email": "second@example.com"})
    assert list(WebhookDelivery.objects.values_list("action__email", flat=True)) == ["second@example.com"]
    hook.active = False
    hook.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter | {"email": "third@example.com"})
    assert WebhookDelivery.objects.count() == 1
