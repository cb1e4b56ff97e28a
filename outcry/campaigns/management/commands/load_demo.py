from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from outcry.campaigns import demo, demo_art, partners
from outcry.campaigns.models import (
    Campaign,
    CampaignTranslation,
    CampaignUpdate,
    LearnMoreLink,
    Membership,
    Organisation,
    Target,
    UpdateTranslation,
)
from outcry.campaigns.services import save_hero_renditions

CAMPAIGNER_PERMISSIONS = [
    ("campaigns", "campaign", ["add", "change", "view"]),
    ("campaigns", "target", ["add", "change", "delete", "view"]),
    ("campaigns", "learnmorelink", ["add", "change", "delete", "view"]),
    ("campaigns", "campaigntranslation", ["add", "change", "delete", "view"]),
    ("campaigns", "organisation", ["change", "view"]),
    ("campaigns", "partnership", ["add", "change", "view"]),
    ("actions", "action", ["change", "view"]),
    ("delivery", "message", ["change", "view"]),
    ("delivery", "attempt", ["view"]),
    ("delivery", "outboxemail", ["view"]),
    ("delivery", "response", ["change", "view"]),
    ("delivery", "responseattachment", ["view"]),
    ("reports", "campaignreport", ["view"]),
    ("reports", "handin", ["add", "view"]),
    ("integrations", "apitoken", ["add", "view", "delete"]),
    ("integrations", "webhook", ["add", "change", "view", "delete"]),
    ("integrations", "webhookdelivery", ["view"]),
    ("safety", "heldaction", ["view"]),
    ("safety", "wave", ["view"]),
    ("safety", "auditentry", ["view"]),
    ("safety", "campaigncontrols", ["add", "change", "view"]),
]
DEMO_ADMIN = ("admin", "outcry-demo")
DEMO_CAMPAIGNER = ("campaigner", "outcry-demo")


def campaigners_group() -> Group:
    """The permissions a campaigner needs in the admin; which rows they see is decided per organisation."""
    group, _ = Group.objects.get_or_create(name="Campaigners")
    for app_label, model, verbs in CAMPAIGNER_PERMISSIONS:
        codenames = [f"{verb}_{model}" for verb in verbs]
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    return group


class Command(BaseCommand):
    help = "Load the two demo campaigns (idempotent) and, in development, a demo admin login."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        campaigners_group()
        organisations = {}
        for data in demo.ORGANISATIONS:
            organisations[data["slug"]], _ = Organisation.objects.update_or_create(
                slug=data["slug"], defaults={k: v for k, v in data.items() if k != "slug"}
            )
        for data in demo.CAMPAIGNS:
            data = dict(data)
            targets = data.pop("targets")
            links = data.pop("links")
            organisation = organisations[data.pop("organisation")]
            campaign, created = Campaign.objects.get_or_create(
                slug=data["slug"],
                defaults=data | {"organisation": organisation, "status": Campaign.Status.LIVE, "published_at": timezone.now()},
            )
            if created:
                for position, (name, title, email) in enumerate(targets):
                    Target.objects.create(campaign=campaign, name=name, title=title, email=email, position=position)
                for position, (title, date) in enumerate(links):
                    url = f"{organisation.website}/news/{slugify(title)[:80]}"
                    LearnMoreLink.objects.create(campaign=campaign, title=title, url=url, date=date, position=position)
            if not campaign.hero_image and campaign.slug in demo_art.HEROES:
                # Drawn, not photographed (campaigns/demo_art.py); added to existing demo databases too.
                image = demo_art.as_jpeg(demo_art.HEROES[campaign.slug]())
                campaign.hero_image.save(f"{campaign.slug}-hero.jpg", ContentFile(image), save=False)
                campaign.hero_alt = campaign.hero_alt or data["hero_alt"]
                campaign.hero_caption = campaign.hero_caption or data.get("hero_caption", "")
                campaign.save()
                save_hero_renditions(campaign)
            # Added to existing demo databases too: keyed by group and country, so loading twice adds nothing.
            for position, (group, country, name, title, email, language) in enumerate(demo.TARGET_GROUPS.get(campaign.slug, []), start=10):
                Target.objects.update_or_create(
                    campaign=campaign, group=group, country=country,
                    defaults={"name": name, "title": title, "email": email, "language": language, "position": position},
                )
            for name, words in demo.TARGET_TRANSLATIONS.get(campaign.slug, {}).items():
                Target.objects.filter(campaign=campaign, name=name).update(translations=words)
            for title, words in demo.LINK_TRANSLATIONS.get(campaign.slug, {}).items():
                LearnMoreLink.objects.filter(campaign=campaign, title=title).update(translations=words)
            for language, fields in demo.TRANSLATIONS.get(campaign.slug, {}).items():
                CampaignTranslation.objects.update_or_create(campaign=campaign, language=language, defaults=fields)
            if not campaign.offered_languages:
                # Offered in each language the demo translates (a campaign chooses its languages).
                campaign.offered_languages = [campaign.language, *demo.TRANSLATIONS.get(campaign.slug, {})]
                campaign.save(update_fields=["offered_languages"])
            self.stdout.write(f"Demo campaign: /c/{campaign.slug}/ ({'created' if created else 'already there'})")
        self._outcomes_and_updates()
        if not settings.PRODUCTION:
            self._demo_admin()

    def _outcomes_and_updates(self) -> None:
        # Amnesty's Libya campaign leads on to Care4Calais's Al Khoms campaign: two organisations, so its
        # receipt may carry the one-click link only under a partnership both agreed to (campaigns/partners.py).
        for first, second in demo.PARTNERSHIPS:
            one, other = Organisation.objects.get(slug=first), Organisation.objects.get(slug=second)
            partners.agree(organisation=one, partner=other)
            partners.agree(organisation=other, partner=one)
        for slug, fields in demo.OUTCOMES.items():
            Campaign.objects.filter(slug=slug, outcome_kind="").update(**fields)
        for slug, follow_up in demo.FOLLOW_UPS.items():
            Campaign.objects.filter(slug=slug, follow_up_campaign__isnull=True).update(
                follow_up_campaign=Campaign.objects.get(slug=follow_up)
            )
        for slug, updates in demo.UPDATES.items():
            campaign = Campaign.objects.get(slug=slug)
            for data in updates:
                # Shown as sent: the demo has no supporters who asked for updates, so there is nobody to email.
                update, created = CampaignUpdate.objects.get_or_create(
                    campaign=campaign, title=data["title"],
                    defaults={"body": data["body"], "send_requested_at": timezone.now(), "send_finished_at": timezone.now()},
                )
                for language, fields in data["translations"].items():
                    UpdateTranslation.objects.update_or_create(update=update, language=language, defaults=fields)

    def _demo_admin(self) -> None:
        username, password = DEMO_ADMIN
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            User.objects.create_superuser(username=username, email="admin@example.org", password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo admin login (development only): {username} / {password}  at /admin/"))
        self._demo_campaigner()

    def _demo_campaigner(self) -> None:
        """A campaigner who is not staff: owner of one demo organisation, viewer of the other (to switch)."""
        username, password = DEMO_CAMPAIGNER
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model().objects.create_user(username=username, email="campaigner@example.org", password=password)
        for slug, role in (("amnesty-demo", Membership.Role.OWNER), ("care4calais-demo", Membership.Role.VIEWER)):
            Membership.objects.get_or_create(organisation=Organisation.objects.get(slug=slug), user=user, defaults={"role": role})
        self.stdout.write(self.style.SUCCESS(f"Demo campaigner login (development only): {username} / {password}  at /studio/"))
