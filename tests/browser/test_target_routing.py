"""Targets per supporter in a real Chromium on the demo Libya campaign: the letter's recipients follow the
country, live with JavaScript and through "Update the recipients for my country" without it, and the letters
go to the targets the supporter ends up with."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from outcry.delivery.models import Message
from tests.browser.test_supporter_path import LIBYA, fill_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def letters_to() -> list[str]:
    return sorted(Message.objects.filter(kind=Message.Kind.LETTER).values_list("target__name", flat=True))


def test_the_recipients_follow_the_country_live_and_the_supporter_chooses(visit):
    v = visit("phone")
    page = v.page
    v.goto(LIBYA)
    recipients = page.locator(".to-list")
    fill_form(page, email="live@example.com", country="FR")
    expect(recipients.get_by_text("Ambassade de Libye à Paris")).to_be_visible()
    expect(recipients.get_by_text("Embassy of Libya in London")).to_be_hidden()
    page.get_by_label("Country", exact=True).select_option("DE")
    expect(recipients.get_by_text("Libyan Mission to the United Nations")).to_be_visible()
    expect(recipients.get_by_text("Ambassade de Libye à Paris")).to_be_hidden()
    page.get_by_label("Country", exact=True).select_option("IT")
    expect(recipients.get_by_text("Ambasciata di Libia a Roma")).to_be_visible()
    expect(page.get_by_role("button", name="Update the recipients for my country")).to_be_hidden()
    page.get_by_label("Jean-Claude Juncker, President of the European Commission").uncheck()
    v.shot("chosen recipients")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    assert letters_to() == ["Ambasciata di Libia a Roma", "Fayez Al-Sarraj"]
    assert v.foreign_requests() == []


def test_without_javascript_the_update_button_addresses_the_letter_for_the_country(visit):
    v = visit("phone", java_script_enabled=False)
    page = v.page
    v.goto(LIBYA)
    fill_form(page, email="noscript-routing@example.com", country="TN")
    page.get_by_role("button", name="Update the recipients for my country").click()
    recipients = page.locator(".to-list")
    expect(recipients.get_by_text("سفارة ليبيا في تونس")).to_be_visible()
    expect(recipients.get_by_text("Libyan Mission to the United Nations")).to_be_hidden()
    expect(page.get_by_label("Email", exact=True)).to_have_value("noscript-routing@example.com")
    v.shot("recipients for Tunisia")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    assert letters_to() == ["Fayez Al-Sarraj", "Jean-Claude Juncker", "سفارة ليبيا في تونس"]
