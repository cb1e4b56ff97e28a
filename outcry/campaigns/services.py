from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from outcry.campaigns.checklist import Checklist, publish_checklist
from outcry.campaigns.models import Campaign, CampaignTranslation, LearnMoreLink, Organisation, Target
from outcry.campaigns.signals import opening_blocked, status_changed
from outcry.lib import rich_text
from outcry.lib.shared_cache import bump_campaign_version

COUNTRY_CODES = frozenset(countries.countries)


def stamp_status_dates(campaign: Campaign) -> None:
    """Record when a campaign first went live and when it closed."""
    if campaign.status == Campaign.Status.LIVE and not campaign.published_at:
        campaign.published_at = timezone.now()
    if campaign.status == Campaign.Status.CLOSED and not campaign.closed_at:
        campaign.closed_at = timezone.now()
    if campaign.status != Campaign.Status.CLOSED:
        campaign.closed_at = None


def save_hero_renditions(campaign: Campaign) -> None:
    """Make the hero image's smaller copies after an upload and remember them on the campaign. In the worker."""
    from outcry.campaigns.images import make_renditions

    renditions = make_renditions(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(hero_renditions=renditions)
    campaign.hero_renditions = renditions


def build_campaign_images(campaign_id: int) -> int:
    """The worker's half of an upload: the hero's smaller copies (when the image changed) and the share image
    in every language. Idempotent. Returns how many share images it drew."""
    from outcry.campaigns.preview import build_share_image, share_image_path

    campaign = Campaign.objects.select_related("organisation").prefetch_related("translations").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    renditions = campaign.hero_renditions
    if campaign.hero_image and not (renditions and renditions[-1]["name"] == campaign.hero_image.name):
        save_hero_renditions(campaign)
    drawn = 0
    for language, _name in settings.LANGUAGES:
        shown = campaign.translated(language)
        drawn += not share_image_path(shown).exists()
        build_share_image(shown)
    return drawn


def ask_for_campaign_images(campaign: Campaign) -> None:
    """Queue build_campaign_images after this transaction, at most once in a few minutes per campaign, however
    many visitors ask for a share image that is not built yet."""
    from django.core.cache import cache

    from outcry.campaigns.tasks import build_campaign_images_task

    if cache.add(f"campaign-images:{campaign.pk}", 1, timeout=300):
        transaction.on_commit(lambda: build_campaign_images_task.enqueue(campaign.pk))


def save_campaign(campaign: Campaign, changed: Iterable[str] = ()) -> Campaign:
    """A campaign's edits saved, from the admin or the studio: status dates stamped, and, when the hero image
    changed, its smaller copies and share images queued for the worker (decoding never runs in a request)."""
    stamp_status_dates(campaign)
    campaign.save()
    if "hero_image" in changed:
        # The old copies are of the old image: the page shows the new upload alone until the worker is done.
        Campaign.objects.filter(pk=campaign.pk).update(hero_renditions=[])
        campaign.hero_renditions = []
        from outcry.campaigns.tasks import build_campaign_images_task

        transaction.on_commit(lambda: build_campaign_images_task.enqueue(campaign.pk))
    return campaign


def create_draft(*, organisation: Organisation, title: str, slug: str, action_kind: str, language: str) -> Campaign:
    """A new campaign, as a draft written in Markdown (the studio's format)."""
    return Campaign.objects.create(
        organisation=organisation, title=title, slug=slug, action_kind=action_kind, language=language,
        status=Campaign.Status.DRAFT, text_format=rich_text.MARKDOWN,
    )


def save_translation(campaign: Campaign, language: str, values: dict[str, str]) -> CampaignTranslation:
    translation, _created = CampaignTranslation.objects.update_or_create(campaign=campaign, language=language, defaults=values)
    return translation


Row = TypeVar("Row", Target, LearnMoreLink)


def with_words(translations: dict[str, Any] | None, language: str, words: dict[str, str]) -> dict[str, Any]:
    """`translations` (a row's per-language dict) with `language`'s values for these fields replaced; an
    empty value removes the field, so the default language's text shows, and other fields are kept."""
    result = dict(translations or {})
    current = result.get(language)
    kept = {k: v for k, v in current.items() if k not in words} if isinstance(current, dict) else {}
    kept |= {name: value.strip() for name, value in words.items() if value.strip()}
    if kept:
        result[language] = kept
    else:
        result.pop(language, None)
    return result


def save_translated_names(
    campaign: Campaign, language: str, targets: dict[int, dict[str, str]], links: dict[int, dict[str, str]],
) -> int:
    """Targets' names and titles and links' titles and addresses in `language`, keyed by the row's id; rows
    of another campaign are ignored. Returns how many rows changed."""
    with transaction.atomic():
        changed_targets = _retranslated(Target.objects.filter(campaign=campaign, pk__in=list(targets)), language, targets)
        Target.objects.bulk_update(changed_targets, ["translations"])
        changed_links = _retranslated(LearnMoreLink.objects.filter(campaign=campaign, pk__in=list(links)), language, links)
        LearnMoreLink.objects.bulk_update(changed_links, ["translations"])
    # bulk_update sends no post_save: the cached public page learns of the new names here.
    bump_campaign_version([campaign.slug])
    return len(changed_targets) + len(changed_links)


def _retranslated(rows: QuerySet[Row], language: str, words: dict[int, dict[str, str]]) -> list[Row]:
    """The rows whose words in `language` change, changed (locked until the transaction ends)."""
    changed = []
    for row in rows.select_for_update():
        translations = with_words(row.translations, language, words[row.pk])
        if translations != row.translations:
            row.translations = translations
            changed.append(row)
    return changed


def _change_status(campaign: Campaign, status: str, actor: User | None, actor_label: str, reason: str, changed: Iterable[str]) -> None:
    with transaction.atomic():
        previous = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first() if campaign.pk else None
        campaign.status = status
        save_campaign(campaign, changed)
        if previous != status:
            status_changed.send(
                sender=Campaign, campaign=campaign, previous=previous, actor=actor, actor_label=actor_label, reason=reason,
            )


def publish(
    campaign: Campaign, *, actor: User | None = None, actor_label: str = "", reason: str = "", changed: Iterable[str] = (),
) -> Checklist:
    """Live, if the checklist has no blocking problem; the checklist either way. The one way a campaign goes
    live (studio, admin, schedule), audited by whoever listens to status_changed."""
    checklist = publish_checklist(campaign)
    if checklist.can_go_live:
        _change_status(campaign, Campaign.Status.LIVE, actor, actor_label, reason, changed)
    return checklist


def close(
    campaign: Campaign, *, actor: User | None = None, actor_label: str = "", reason: str = "", changed: Iterable[str] = (),
) -> None:
    """Stop new actions; the page and the count stay. The one way a campaign closes (studio, admin, schedule)."""
    _change_status(campaign, Campaign.Status.CLOSED, actor, actor_label, reason, changed)


# Scheduled opening and closing -----------------------------------------------------------------------------

SCHEDULE_ACTOR = "schedule"


def _open_scheduled(pk: int, opens_at: datetime) -> str:
    with transaction.atomic():
        # The claim, first statement of the transaction: of two workers running the job, only the one whose
        # UPDATE matched goes on (the other waits for its commit, then finds opens_at cleared). Cleared
        # whatever follows, so a blocked opening is reported once and never retried behind the team's back.
        if not Campaign.objects.filter(pk=pk, status=Campaign.Status.DRAFT, opens_at=opens_at).update(opens_at=None):
            return ""
        campaign = Campaign.objects.select_related("organisation").get(pk=pk)
        when = opens_at.isoformat(timespec="minutes")
        # The problems are told to the campaign's team: in its language, as its emails are.
        with translation.override(campaign.language):
            checklist = publish(campaign, actor_label=SCHEDULE_ACTOR, reason=f"Scheduled opening ({when})")
        if checklist.can_go_live:
            return "opened"
        opening_blocked.send(sender=Campaign, campaign=campaign, problems=checklist.problems, opens_at=opens_at)
        return "blocked"


def _close_scheduled(pk: int, closes_at: datetime) -> bool:
    with transaction.atomic():
        if not Campaign.objects.filter(pk=pk, status=Campaign.Status.LIVE, closes_at=closes_at).update(closes_at=None):
            return False
        campaign = Campaign.objects.select_related("organisation").get(pk=pk)
        close(campaign, actor_label=SCHEDULE_ACTOR, reason=f"Scheduled closing ({closes_at.isoformat(timespec='minutes')})")
        return True


def open_and_close_due(now: datetime | None = None) -> dict[str, list[int]]:
    """The scheduled job: each draft whose opens_at has come goes live if its checklist passes then (else it stays
    a draft and opening_blocked tells its team), and each live campaign whose closes_at has come closes.
    Idempotent, and safe with several workers at once. Returns the campaigns opened, blocked and closed."""
    now = now or timezone.now()
    done: dict[str, list[int]] = {"opened": [], "blocked": [], "closed": []}
    for pk, opens_at in Campaign.objects.filter(status=Campaign.Status.DRAFT, opens_at__lte=now).values_list("pk", "opens_at"):
        outcome = _open_scheduled(pk, opens_at) if opens_at is not None else ""
        if outcome:
            done[outcome].append(pk)
    for pk, closes_at in Campaign.objects.filter(status=Campaign.Status.LIVE, closes_at__lte=now).values_list("pk", "closes_at"):
        if closes_at is not None and _close_scheduled(pk, closes_at):
            done["closed"].append(pk)
    return done


# Not copied: who acted, what came of it, and when it ran.
NOT_DUPLICATED = {"id", "slug", "status", "published_at", "closed_at", "created_at", "updated_at", "outcome_kind", "outcome_text", "outcome_date"}


def _free_slug(base: str) -> str:
    slug, n = f"{base}-copy"[:50], 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-copy-{n}"[:50], n + 1
    return slug


@transaction.atomic
def duplicate_campaign(campaign: Campaign) -> Campaign:
    """A new draft with the campaign's text, settings, targets, links and translations; no actions, no outcome."""
    duplicate = Campaign(slug=_free_slug(campaign.slug), status=Campaign.Status.DRAFT)
    for model_field in Campaign._meta.concrete_fields:
        if model_field.name not in NOT_DUPLICATED:
            setattr(duplicate, model_field.attname, getattr(campaign, model_field.attname))
    duplicate.save()
    for related in (campaign.targets.all(), campaign.links.all(), campaign.translations.all()):
        for row in related:
            row.pk = None
            row.campaign = duplicate
            row.save()
    return duplicate


# Target import (CSV) -------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("name", "title", "email", "country", "language")
MAX_IMPORT_ROWS = 5000


@dataclass
class TargetImport:
    created: int = 0
    # (line number in the file, the row's name or email, why it was rejected)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    error: str = ""


def _row_problem(row: dict[str, str], seen: set[tuple[str, str]]) -> str:
    if not row["name"]:
        return str(_("no name"))
    if len(row["name"]) > 200 or len(row["title"]) > 200:
        return str(_("name or title longer than 200 characters"))
    try:
        validate_email(row["email"])
    except ValidationError:
        return str(_("not a valid email address"))
    if row["country"] and row["country"] not in COUNTRY_CODES:
        return str(_("unknown country code (use two letters, e.g. FR)"))
    if row["language"] and row["language"] not in dict(settings.LANGUAGES):
        return str(_("language not offered by this site"))
    if (row["email"].lower(), row["country"]) in seen:
        return str(_("the same address and country twice"))
    return ""


def import_targets(campaign: Campaign, data: bytes, group: str = "") -> TargetImport:
    """Add the targets of a CSV file (columns name, title, email, country, language; a header row names them)
    to a campaign, optionally in one group. Valid rows are added together in one transaction; each rejected
    row is reported with its line and the reason, and nothing else about the file is lost or half-applied."""
    report = TargetImport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error = str(_("The file is not UTF-8 text. Save it from your spreadsheet as \"CSV UTF-8\"."))
        return report
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "name" not in header or "email" not in header:
        report.error = str(_("The first row must name the columns, with at least name and email: name,title,email,country,language"))
        return report
    reader.fieldnames = header
    existing = {(t.email.lower(), str(t.country)) for t in campaign.targets.filter(group=group)}
    seen = set(existing)
    position = (campaign.targets.aggregate(top=Max("position"))["top"] or 0) + 1
    new: list[Target] = []
    for line, raw in enumerate(reader, start=2):
        if len(new) + len(report.rejected) >= MAX_IMPORT_ROWS:
            report.error = str(_("Only the first %(n)d rows were read.") % {"n": MAX_IMPORT_ROWS})
            break
        row = {key: " ".join((raw.get(key) or "").split()) for key in IMPORT_COLUMNS}
        row["country"] = row["country"].upper()
        row["language"] = row["language"].lower()
        problem = _row_problem(row, seen)
        if problem:
            report.rejected.append((line, (row["name"] or row["email"])[:100], problem))
            continue
        seen.add((row["email"].lower(), row["country"]))
        new.append(Target(campaign=campaign, group=group, position=position + len(new), **row))
    with transaction.atomic():
        Target.objects.bulk_create(new)
    # bulk_create sends no post_save: the cached public page learns of the new targets here.
    bump_campaign_version([campaign.slug])
    report.created = len(new)
    return report
