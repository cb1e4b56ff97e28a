from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from outcry.campaigns.models import Campaign, Membership, Organisation

PASSWORD = "pw-for-tests-only"


def member(organisation: Organisation, username: str, role: str = Membership.Role.EDITOR):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


@pytest.fixture
def other_organisation(db) -> Organisation:
    return Organisation.objects.create(name="Other Cause", slug="other-cause")


@pytest.fixture
def other_campaign(other_organisation) -> Campaign:
    return Campaign.objects.create(
        organisation=other_organisation, slug="their-draft", title="Their secret draft", summary="Not yours.",
    )


@pytest.fixture
def as_role(client, organisation):
    """as_role("viewer"): the test client signed in as a member of `organisation` with that role."""

    def sign_in(role: str, username: str = ""):
        client.force_login(member(organisation, username or role, role))
        return client

    return sign_in
