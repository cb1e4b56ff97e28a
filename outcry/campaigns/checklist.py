"""What a campaign needs before it goes live. The studio's Publish button and the admin's status field
both ask publish_checklist; blocking problems stop Live, warnings are only shown.

Each rule is here once, worded for the campaigner who has to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from outcry.campaigns.models import Campaign, CampaignTranslation


@dataclass
class Checklist:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def can_go_live(self) -> bool:
        return not self.problems


def _valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _target_problems(campaign: Campaign) -> list[str]:
    # An unsaved campaign (the admin's add form) has no targets yet: they are saved after it.
    targets = list(campaign.targets.all()) if campaign.pk else []
    if not targets:
        return [_("Add at least one target: the letter has nobody to go to.")]
    problems = []
    for target in targets:
        if not _valid_email(target.email):
            problems.append(_("The target “%(name)s” has no valid email address.") % {"name": target.name})
        elif target.email_failing_since:
            problems.append(_("Letters to “%(name)s” bounce: correct the address.") % {"name": target.name})
    return problems


def missing_translations(campaign: Campaign, translation: CampaignTranslation | None) -> list[str]:
    """The translated fields the default language fills and this translation leaves empty."""
    return [
        name for name in CampaignTranslation.TRANSLATED_FIELDS
        if getattr(campaign, name) and not (translation and getattr(translation, name))
    ]


def _language_problems(campaign: Campaign) -> list[str]:
    """Each offered language must be complete: a half-translated page is never shown (Campaign.page_language)."""
    complete = set(campaign.complete_languages) if campaign.pk else {campaign.language}
    names = dict(settings.LANGUAGES)
    return [
        _("The %(language)s translation is offered but not complete: translate its title, story and letter, "
          "or stop offering it.") % {"language": names[code]}
        for code in campaign.offered_language_codes if code not in complete
    ]


def publish_checklist(campaign: Campaign) -> Checklist:
    checklist = Checklist()
    problems, warnings = checklist.problems, checklist.warnings
    if not campaign.title.strip() or not campaign.summary.strip():
        problems.append(_("Write a title and a summary."))
    if not campaign.story.strip():
        problems.append(_("Write the story."))
    if not campaign.organisation.privacy_url:
        problems.append(_("Your organisation has no privacy notice address: supporters must be able to read how their data is used."))
    if campaign.action_kind in (Campaign.ActionKind.LETTER, Campaign.ActionKind.MAILTO):
        problems += _target_problems(campaign)
        if not campaign.letter_body.strip():
            problems.append(_("Write the letter."))
    if campaign.action_kind == Campaign.ActionKind.LETTER and not campaign.sends_letters:
        problems.append(_("A letter sent by Outcry needs a delivery that sends: one email per supporter, or a digest."))
    if not campaign.goal:
        warnings.append(_("There is no goal: the page shows a count without a progress bar."))
    if not campaign.hero_image:
        warnings.append(_("There is no image: the page and the link previews on social networks use a plain title card."))
    elif not campaign.hero_alt:
        warnings.append(_("Describe the image (alt text) for people who cannot see it."))
    if not campaign.consent_wording:
        warnings.append(_("There is no consent wording, so supporters cannot ask for updates."))
    problems += _language_problems(campaign)
    if campaign.closes_at and campaign.closes_at <= timezone.now():
        problems.append(_("The closing date has passed: change it or clear it."))
    elif campaign.closes_at and campaign.opens_at and campaign.closes_at <= campaign.opens_at:
        problems.append(_("The closing date is before the opening date."))
    for translation in campaign.translations.all() if campaign.pk else []:
        missing = missing_translations(campaign, translation)
        if missing:
            warnings.append(
                _("The %(language)s translation leaves %(n)d fields in the default language.")
                % {"language": translation.get_language_display(), "n": len(missing)}
            )
    return checklist
