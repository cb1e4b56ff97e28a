"""The team: owners invite by email through the outbox; the signed link works once and expires; roles change."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from outcry.campaigns.models import Membership
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.studio.models import Invitation
from tests.studio.conftest import member

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://\S+/studio/invitation/\S+/", message.body).group(0).split("testserver", 1)[-1]


def test_owner_invites_a_colleague_who_creates_an_account_and_joins(as_role, client, organisation, settings):
    settings.SITE_URL = "http://testserver"
    owner = as_role(Membership.Role.OWNER)
    response = owner.post(reverse("studio:team", kwargs={"organisation": organisation.slug}), {"email": "new@example.org", "role": "viewer"})
    assert response.status_code == 303 and mail.outbox == []  # nothing sent in the request
    send_due(message_id=Message.objects.get(kind=Message.Kind.INVITE).pk)
    assert Message.objects.get(kind=Message.Kind.INVITE).status == Message.Status.SENT
    assert [m.to for m in mail.outbox] == [["new@example.org"]] and "Rights Now" in mail.outbox[0].subject
    link = _link(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Join Rights Now" in page.content.decode()
    joined = client.post(link, {"username": "newcomer", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"})
    assert joined["Location"] == reverse("studio:organisation", kwargs={"organisation": organisation.slug})
    membership = Membership.objects.get(user__username="newcomer")
    assert membership.role == "viewer" and membership.user.email == "new@example.org"
    # Used once: the same link now shows nothing.
    client.logout()
    assert client.get(link).status_code == 404


def test_only_owners_manage_the_team(as_role, organisation):
    editor = as_role(Membership.Role.EDITOR)
    assert editor.get(reverse("studio:team", kwargs={"organisation": organisation.slug})).status_code == 403
    assert editor.post(reverse("studio:team", kwargs={"organisation": organisation.slug}), {"email": "x@example.org", "role": "owner"}).status_code == 403
    assert not Invitation.objects.exists()


def test_expired_or_forged_invitation_links_do_nothing(client, organisation, settings):
    from django.core import signing

    from outcry.studio.services import INVITE_SALT

    invitation = Invitation.objects.create(organisation=organisation, email="x@example.org", role="owner")
    assert client.get(reverse("studio:accept", kwargs={"token": signing.dumps(invitation.pk, salt="other")})).status_code == 404
    settings.OUTCRY_INVITE_DAYS = -1
    assert client.get(reverse("studio:accept", kwargs={"token": signing.dumps(invitation.pk, salt=INVITE_SALT)})).status_code == 404


def test_the_last_owner_can_neither_be_demoted_nor_leave(as_role, organisation):
    owner_client = as_role(Membership.Role.OWNER)
    mine = Membership.objects.get(role="owner")
    owner_client.post(reverse("studio:member", kwargs={"organisation": organisation.slug, "membership": mine.pk}), {"role": "viewer"})
    mine.refresh_from_db()
    assert mine.role == "owner"
    owner_client.post(reverse("studio:leave", kwargs={"organisation": organisation.slug}))
    assert Membership.objects.filter(pk=mine.pk).exists()
    colleague = Membership.objects.get(user=member(organisation, "colleague"))
    owner_client.post(reverse("studio:member", kwargs={"organisation": organisation.slug, "membership": colleague.pk}), {"remove": "1"})
    assert not Membership.objects.filter(pk=colleague.pk).exists()


def test_an_owner_of_one_organisation_cannot_touch_members_of_another(as_role, other_organisation):
    theirs = Membership.objects.get(user=member(other_organisation, "them", Membership.Role.OWNER))
    owner = as_role(Membership.Role.OWNER)
    url = reverse("studio:member", kwargs={"organisation": other_organisation.slug, "membership": theirs.pk})
    assert owner.post(url, {"remove": "1"}).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_person_with_an_account_joins_a_second_organisation_keeping_the_first(client, organisation, other_organisation):
    from outcry.studio.services import invite_token

    user = member(other_organisation, "both", Membership.Role.VIEWER)
    invitation = Invitation.objects.create(organisation=organisation, email="both@example.org", role="editor")
    client.force_login(user)
    url = reverse("studio:accept", kwargs={"token": invite_token(invitation)})
    assert "Join as both" in client.get(url).content.decode()
    assert client.post(url)["Location"] == reverse("studio:organisation", kwargs={"organisation": organisation.slug})
    assert set(Membership.objects.filter(user=user).values_list("organisation__slug", "role")) == {
        (organisation.slug, "editor"), (other_organisation.slug, "viewer"),
    }
