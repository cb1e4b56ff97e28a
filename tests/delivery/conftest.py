from __future__ import annotations

import pytest

from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign
from tests.delivery.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, and mailers.default pointed at it."""
    server = SMTPServer().start()
    settings.MAILERS = server.mailers()
    settings.OUTCRY_DELIVERY_RETRY_SECONDS = 0
    yield server
    server.stop()


def act(campaign: Campaign, first_name: str = "Amal", last_name: str = "Haddad", email: str | None = None,
        country: str = "GB", **extra) -> Action:
    email = email or f"{first_name.lower()}.{last_name.lower()}@example.com".replace(" ", "")
    data = ActionData(first_name=first_name, last_name=last_name, email=email, country=country, **extra)
    return take_action(campaign=campaign, data=data)
