from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from outcry.lib import rich_text
from outcry.lib.colour import validate_brand_colour
from outcry.lib.images import WebImageField
from outcry.lib.sanitise import safe_url, sanitise_html, validate_web_url

TRANSLATIONS_HELP = _('Per language, e.g. {"ar": {"name": "…"}, "fr": {"name": "…"}}. A field left out shows the text above.')


class TranslatedFields:
    """Short texts kept with their row, one dict per language (`translations`), for rows too small to have
    a translation table of their own: an organisation's About, a target's name and title, a link's title."""

    translations: dict

    def in_language(self, language: str) -> Any:
        """A copy showing each translated field in `language`; the copy is for showing, not saving."""
        words = (self.translations or {}).get(language) or {}
        shown = copy.copy(self)
        for field, value in words.items():
            if field in type(self).TRANSLATABLE and isinstance(value, str) and value.strip():
                setattr(shown, field, value)
        return shown


class LanguageListField(models.JSONField):
    """A list of codes from settings.LANGUAGES, kept in JSON (on every database) and edited as checkboxes."""

    def formfield(self, **kwargs: Any) -> forms.Field:
        return forms.TypedMultipleChoiceField(
            choices=settings.LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(), help_text=self.help_text,
        )


class Organisation(TranslatedFields, models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    about = models.TextField(_("about"), blank=True, help_text=_("Shown under every campaign. Simple HTML allowed."))
    website = models.URLField(_("website"), blank=True, validators=[validate_web_url])
    privacy_url = models.URLField(_("privacy notice URL"), blank=True, validators=[validate_web_url])
    # Branding, on the organisation's public pages and in its emails.
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, blank=True, validators=[validate_brand_colour],
        help_text=_("For buttons and the progress bar, e.g. #b3261e. White text on it must be readable."),
    )
    footer_text = models.CharField(_("footer text"), max_length=300, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True, help_text=_("The name emails come from. Empty: the organisation's name."))
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=TRANSLATIONS_HELP)
    TRANSLATABLE = ("about",)
    # Who works on the organisation's campaigns, each with a role (Membership); the studio and the
    # admin both read it.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organisations", blank=True, verbose_name=_("staff"),
        through="Membership",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.about = sanitise_html(self.about)
        for words in (self.translations or {}).values():
            if isinstance(words, dict) and isinstance(words.get("about"), str):
                words["about"] = sanitise_html(words["about"])
        super().save(*args, **kwargs)

    @property
    def sender(self) -> str:
        return self.sender_name or self.name

    @property
    def brand_version(self) -> str:
        """Part of the brand stylesheet's address, so a new colour is fetched at once and an old one cached long."""
        return self.brand_colour.lstrip("#")


class Partnership(models.Model):
    """One side of a coalition between two organisations, agreed by an owner of `organisation`.

    A partnership holds while both sides have a current row (outcry.campaigns.partners): then a campaign's
    follow-up may be the partner's campaign and a supporter's receipt or update may carry a one-click link
    to it (the partner sees nothing of the supporter unless they act there). Rows are never deleted:
    ending a side stamps it, so the table itself records who agreed and who ended it, and when.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("organisation"))
    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner"))
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agreed by"))
    agreed_at = models.DateTimeField(_("agreed at"), auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ended by"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-agreed_at"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "partner"], condition=Q(ended_at__isnull=True), name="one_current_side_per_partner"),
            models.CheckConstraint(condition=~Q(organisation=models.F("partner")), name="partner_is_another_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.partner}"


class Membership(models.Model):
    """A person's role in one organisation. Roles are ordered: each can do what the ones below it can."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("Viewer (sees campaigns, figures and the hand-in)")
        EDITOR = "editor", _("Editor (also writes, previews and publishes)")
        OWNER = "owner", _("Owner (also manages the team and the organisation)")

    RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        # The table of the plain many-to-many this model replaced: existing staff became members in place.
        db_table = "campaigns_organisation_staff"
        unique_together = [("organisation", "user")]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def allows(self, role: str) -> bool:
        return self.RANK[self.Role(self.role)] >= self.RANK[self.Role(role)]


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def live(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.LIVE)

    def public(self) -> CampaignQuerySet:
        return self.filter(status__in=[Campaign.Status.LIVE, Campaign.Status.CLOSED])

    def visible_to(self, user) -> CampaignQuerySet:
        """Live and closed campaigns for everyone; drafts too for their organisation's staff."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        if user.is_authenticated:
            return self.filter(Q(status__in=[Campaign.Status.LIVE, Campaign.Status.CLOSED]) | Q(organisation__staff=user)).distinct()
        return self.public()

    def with_translation(self, language: str) -> CampaignQuerySet:
        """Prefetch the one translation translated(language) will read, for lists of campaigns."""
        return self.prefetch_related(
            models.Prefetch("translations", queryset=CampaignTranslation.objects.filter(language=language))
        )

    def for_staff(self, user) -> CampaignQuerySet:
        if user.is_superuser:
            return self.all()
        return self.filter(organisation__staff=user)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        CLOSED = "closed", _("Closed")

    class ActionKind(models.TextChoices):
        PETITION = "petition", _("Petition (a signature)")
        LETTER = "letter", _("Letter to the targets (sent by Outcry)")
        MAILTO = "mailto", _("Email your target (from the supporter's own email app)")

    class DeliveryMode(models.TextChoices):
        INDIVIDUAL = "individual", _("One email per supporter per target")
        DIGEST = "digest", _("A periodic digest per target")
        MAILTO = "mailto", _("Supporters send it themselves (mailto)")
        NONE = "none", _("Nothing is sent (kept for a hand-in)")

    class Outcome(models.TextChoices):
        HANDED_IN = "handed_in", _("Handed in")
        RESPONSE = "response", _("Response received")
        VICTORY = "victory", _("Victory")
        CLOSED = "closed", _("Closed without a result")

    class DigestPeriod(models.TextChoices):
        HOURLY = "hourly", _("Hourly")
        DAILY = "daily", _("Daily")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("organisation"))
    slug = models.SlugField(_("slug"), unique=True, help_text=_("The page's address: /c/<slug>/"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    language = models.CharField(_("default language"), max_length=10, choices=settings.LANGUAGES, default="en")
    offered_languages = LanguageListField(
        _("languages offered"), default=list, blank=True,
        help_text=_("The page offers each of these once its translation is complete; the default language always."),
    )

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600, help_text=_("One or two sentences, for the index and link previews."))
    hero_image = WebImageField(_("hero image"), upload_to="campaigns/", blank=True, help_text=_("JPEG, PNG or WebP."))
    hero_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    hero_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    media_embed_url = models.URLField(_("video or media link"), blank=True, validators=[validate_web_url], help_text=_("Shown as a link where there is no image."))
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    story = models.TextField(_("story"), blank=True, help_text=_("In the text format below: Markdown, or simple HTML."))
    # Campaigns written before the studio hold HTML and keep it; the studio writes Markdown.
    text_format = models.CharField(
        _("text format of the story"), max_length=10, default=rich_text.HTML,
        choices=[(rich_text.MARKDOWN, _("Markdown")), (rich_text.HTML, _("Simple HTML"))],
    )
    call_to_action = models.CharField(_("call to action"), max_length=300, blank=True)

    action_kind = models.CharField(_("action"), max_length=10, choices=ActionKind.choices, default=ActionKind.PETITION)
    goal = models.PositiveIntegerField(_("goal"), default=0, help_text=_("0 for no goal."))
    message_before_goal = models.CharField(_("message while far from the goal"), max_length=300, blank=True)
    message_near_goal = models.CharField(_("message near the goal"), max_length=300, blank=True)
    message_after_action = models.CharField(_("thank-you headline"), max_length=300, blank=True)
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    # Said on the thank-you page, to someone who has just acted (message_before_goal speaks to those who haven't).
    message_after_acting = models.CharField(
        _("momentum line after acting"), max_length=300, blank=True,
        help_text=_("e.g. \"You are one of the first 100: share now and the count doubles.\""),
    )
    # What a shared link says, per channel; each empty one falls back to the title (or the summary).
    share_message = models.CharField(_("share message (WhatsApp, Telegram, phone share sheet)"), max_length=500, blank=True)
    share_x_text = models.CharField(_("share text for X"), max_length=250, blank=True)
    share_email_subject = models.CharField(_("share email subject"), max_length=200, blank=True)
    share_email_body = models.TextField(_("share email text"), blank=True, help_text=_("The link follows it."))
    consent_wording = models.CharField(
        _("consent wording"), max_length=500, blank=True,
        help_text=_("The text beside the unticked box for updates. Stored with every action that ticks it."),
    )

    letter_subject = models.CharField(_("letter subject"), max_length=200, blank=True)
    letter_salutation = models.CharField(_("salutation"), max_length=300, blank=True, help_text=_("e.g. Dear Prime Minister,"))
    letter_body = models.TextField(_("letter body"), blank=True, help_text=_("Plain text. Blank lines separate paragraphs."))
    letter_signoff = models.CharField(_("sign-off"), max_length=100, blank=True, default="Yours sincerely,")
    allow_personalise = models.BooleanField(_("supporters may edit the letter"), default=False)
    supporters_choose_targets = models.BooleanField(
        _("supporters may choose which targets to write to"), default=False,
        help_text=_("Among the targets that apply to them; at least one."),
    )
    withhold_names_from = CountryField(
        _("withhold the names of supporters from"), multiple=True, blank=True,
        help_text=_("Supporters from these countries are \"A supporter from <country>\" in everything a target "
                    "receives (letters, digests, the hand-in and its CSV); your own data keeps their names."),
    )

    # The supporter's emails as the campaign words them; empty keeps Outcry's own wording. The link each
    # email exists for (confirm, share) is always added after this text, so no wording can lose it.
    receipt_subject = models.CharField(_("receipt subject"), max_length=200, blank=True)
    receipt_intro = models.TextField(
        _("receipt text"), blank=True,
        help_text=_("Plain text; blank lines separate paragraphs. {first_name} and {campaign} are filled in. The share link follows."),
    )
    confirm_subject = models.CharField(_("confirmation email subject"), max_length=200, blank=True)
    confirm_intro = models.TextField(
        _("confirmation email text"), blank=True,
        help_text=_("Plain text; blank lines separate paragraphs. {first_name} and {campaign} are filled in. The confirmation link follows."),
    )

    delivery_mode = models.CharField(_("delivery"), max_length=12, choices=DeliveryMode.choices, default=DeliveryMode.NONE)
    digest_period = models.CharField(_("digest period"), max_length=10, choices=DigestPeriod.choices, default=DigestPeriod.DAILY)
    target_hourly_limit = models.PositiveIntegerField(
        _("letters per target per hour"), default=100,
        help_text=_("Letters beyond this roll into the target's next digest."),
    )
    double_opt_in = models.BooleanField(_("supporters confirm their email before the action counts"), default=False)
    hold_flagged = models.BooleanField(
        _("hold actions with signs of a bot for review"), default=False,
        help_text=_("Off: such an action counts once its supporter confirms their email, and nobody waits for a "
                    "review. On: it waits until someone on the team counts or rejects it."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days after closing)"), null=True, blank=True,
        help_text=_("Empty to keep it until erased by hand."),
    )
    embed_allowed_origins = models.TextField(
        _("sites allowed to embed the counter"), blank=True,
        help_text=_("One origin a line, e.g. https://www.example.org"),
    )

    # What came of the campaign, shown as a banner on its page and in the stats JSON (issue: outcomes).
    outcome_kind = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_text = models.CharField(_("outcome text"), max_length=300, blank=True)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    # The next ask, offered on the thank-you page after the share step: another campaign or any address.
    follow_up_campaign = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("follow-up campaign"),
    )
    follow_up_url = models.URLField(_("follow-up address"), blank=True, validators=[validate_web_url], help_text=_("e.g. a donation page"))
    follow_up_label = models.CharField(_("follow-up text"), max_length=200, blank=True)

    # Smaller copies of hero_image made on upload: [{"width", "height", "name"}], widest last.
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)

    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Acted on by a scheduled job (campaigns.schedule), through the same publish and close as a person.
    opens_at = models.DateTimeField(
        _("opens at"), null=True, blank=True,
        help_text=_("A draft goes live then, if nothing on its checklist blocks it; otherwise its team gets an email."),
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True, help_text=_("The campaign closes then."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "shown_in", None):
            # A translated copy holds another language's text in the default language's fields.
            raise RuntimeError("A campaign returned by translated() is for showing, not saving.")
        if self.text_format == rich_text.HTML:
            # Markdown is kept as typed: render_text cleans what it makes, every time it is shown.
            self.story = sanitise_html(self.story)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("campaigns:page", kwargs={"slug": self.slug})

    @property
    def story_html(self) -> SafeString:
        return rich_text.render_text(self.story, self.text_format, story_pictures(self.organisation_id))

    @property
    def hero_srcset(self) -> str:
        return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in self.hero_renditions)

    @property
    def hero_size(self) -> tuple[int, int]:
        """The upload's own width and height, for the img tag, so the page does not jump as it loads."""
        if self.hero_renditions:
            return self.hero_renditions[-1]["width"], self.hero_renditions[-1]["height"]
        return 1200, 675

    def translated(self, language: str) -> Campaign:
        """A copy of this campaign showing its content in `language`: each field the translation
        leaves empty keeps the default language's text. The copy cannot be saved.

        Uses prefetched translations when the caller prefetched them.
        """
        shown = copy.copy(self)
        translation = None
        if language != self.language:
            translation = next((t for t in self.translations.all() if t.language == language), None)
        if translation is not None:
            for field in CampaignTranslation.TRANSLATED_FIELDS:
                value = getattr(translation, field)
                if value:
                    setattr(shown, field, value)
        shown.content_language = translation.language if translation else self.language
        shown.content_dir = "rtl" if get_language_info(shown.content_language)["bidi"] else "ltr"
        # Text that fell back to the default language is marked as such, for screen readers' voices.
        shown.content_attrs = "" if shown.content_language == language else format_html(
            ' lang="{}" dir="{}"', shown.content_language, shown.content_dir
        )
        shown.shown_in = language
        return shown

    @property
    def complete_languages(self) -> list[str]:
        """The languages the page can be shown in: its own, and each translation with a title, a story and
        (where there is one) a letter. A half-done translation would show English text laid out right to
        left beside the translated form. Uses prefetched translations when the caller prefetched them."""
        needed = ["title", "story"] + (["letter_body"] if self.action_kind != self.ActionKind.PETITION else [])
        done = {t.language for t in self.translations.all() if all(getattr(t, field).strip() for field in needed)}
        return [code for code, _name in settings.LANGUAGES if code == self.language or code in done]

    @property
    def offered_language_codes(self) -> list[str]:
        """The languages the campaign chose to offer, the default one always among them, in the site's order."""
        chosen = set(self.offered_languages or ())
        return [code for code, _name in settings.LANGUAGES if code == self.language or code in chosen]

    @property
    def public_languages(self) -> list[str]:
        """The languages the public page is shown in: offered and complete. Any other request gets the default
        language, never a half-translated page."""
        complete = set(self.complete_languages)
        return [code for code in self.offered_language_codes if code in complete]

    def page_language(self, language: str | None) -> str:
        return language if language in self.public_languages else self.language

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def sends_letters(self) -> bool:
        return self.action_kind == self.ActionKind.LETTER and self.delivery_mode in {
            self.DeliveryMode.INDIVIDUAL, self.DeliveryMode.DIGEST,
        }

    @property
    def outcome(self) -> dict | None:
        """The stats JSON's `outcome`: null, or what came of the campaign and when."""
        if not self.outcome_kind:
            return None
        date = self.outcome_date.isoformat() if self.outcome_date else None
        return {"kind": self.outcome_kind, "text": self.outcome_text, "date": date}

    def updates_summary(self) -> list[dict]:
        """The stats JSON's and OSDI's `updates`: each published update's title, date and page."""
        return [
            {"title": u.title, "date": u.date.isoformat(), "url": f"{settings.SITE_URL}{u.get_absolute_url()}"}
            for u in self.updates.all() if u.published
        ]

    @property
    def has_follow_up(self) -> bool:
        return bool(safe_url(self.follow_up_url)) or self.follow_up_campaign_id is not None

    def targets_for(self, country: str, chosen: Iterable[int] = ()) -> list[Target]:
        """The targets a supporter from `country` writes to: every target in no group, and in each group the
        one for that country, else the group's fallback (the one with no country). With `chosen` (target ids),
        only those of them. Reads prefetched targets when the caller prefetched them."""
        resolved: list[Target] = []
        groups: dict[str, list[Target]] = {}
        for target in self.targets.all():
            if target.group:
                groups.setdefault(target.group, []).append(target)
            else:
                resolved.append(target)
        for members in groups.values():
            match = next((t for t in members if t.country.code == country), None)
            fallback = next((t for t in members if not t.country.code), None)
            if match or fallback:
                resolved.append(match or fallback)  # type: ignore[arg-type]
        resolved.sort(key=lambda t: (t.position, t.pk))
        wanted = set(chosen)
        return [t for t in resolved if t.pk in wanted] if wanted else resolved

    def letter_paragraphs(self, body: str | None = None) -> list[str]:
        text = (body if body is not None else self.letter_body).replace("\r\n", "\n")
        return [p.strip() for p in text.split("\n\n") if p.strip()]


class Target(TranslatedFields, models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("e.g. Prime Minister of Libya"))
    email = models.EmailField(_("email"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    group = models.CharField(
        _("group"), max_length=100, blank=True,
        help_text=_("e.g. \"The Libyan embassy in your country\": a supporter writes to the group's target for their "
                    "country, or to its target with no country. Empty: every supporter writes to this target."),
    )
    country = CountryField(_("for supporters from"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The letter goes in this language when the campaign has it translated."),
    )
    # Set by outcry.delivery when OUTCRY_BOUNCES_TO_FAIL letters to this address bounced hard; clear it
    # once the address is corrected.
    email_failing_since = models.DateTimeField(_("address failing since"), null=True, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=TRANSLATIONS_HELP)
    TRANSLATABLE = ("name", "title")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class LearnMoreLink(TranslatedFields, models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), validators=[validate_web_url])
    date = models.DateField(_("date"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=TRANSLATIONS_HELP)
    TRANSLATABLE = ("title", "url")

    class Meta:
        ordering = ["position", "-date", "id"]
        verbose_name = _("'learn more' link")
        verbose_name_plural = _("'learn more' links")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A translated address is shown as a link like the field itself: the same rule (issue 13.13).
        for language, words in (self.translations or {}).items():
            url = words.get("url") if isinstance(words, dict) else None
            if url:
                try:
                    validate_web_url(url)
                except ValidationError as error:
                    raise ValidationError({"translations": f"{language}: {' '.join(error.messages)}"}) from None


class CampaignTranslation(models.Model):
    """The campaign's words in one more language. Empty fields show the default language's text."""

    TRANSLATED_FIELDS = (
        "title", "summary", "headline", "story", "call_to_action", "hero_alt", "hero_caption",
        "message_before_goal", "message_near_goal", "message_after_action", "thank_you_text", "consent_wording",
        "message_after_acting", "share_message", "share_x_text", "share_email_subject", "share_email_body",
        "letter_subject", "letter_salutation", "letter_body", "letter_signoff",
        "receipt_subject", "receipt_intro", "confirm_subject", "confirm_intro",
    )

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    story = models.TextField(_("story"), blank=True, help_text=_("In the campaign's text format."))
    call_to_action = models.CharField(_("call to action"), max_length=300, blank=True)
    hero_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    hero_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    message_before_goal = models.CharField(_("message while far from the goal"), max_length=300, blank=True)
    message_near_goal = models.CharField(_("message near the goal"), max_length=300, blank=True)
    message_after_action = models.CharField(_("thank-you headline"), max_length=300, blank=True)
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    consent_wording = models.CharField(_("consent wording"), max_length=500, blank=True)
    message_after_acting = models.CharField(_("momentum line after acting"), max_length=300, blank=True)
    share_message = models.CharField(_("share message (WhatsApp, Telegram, phone share sheet)"), max_length=500, blank=True)
    share_x_text = models.CharField(_("share text for X"), max_length=250, blank=True)
    share_email_subject = models.CharField(_("share email subject"), max_length=200, blank=True)
    share_email_body = models.TextField(_("share email text"), blank=True)
    letter_subject = models.CharField(_("letter subject"), max_length=200, blank=True)
    letter_salutation = models.CharField(_("salutation"), max_length=300, blank=True)
    letter_body = models.TextField(_("letter body"), blank=True, help_text=_("Plain text. Blank lines separate paragraphs."))
    letter_signoff = models.CharField(_("sign-off"), max_length=100, blank=True)
    receipt_subject = models.CharField(_("receipt subject"), max_length=200, blank=True)
    receipt_intro = models.TextField(_("receipt text"), blank=True)
    confirm_subject = models.CharField(_("confirmation email subject"), max_length=200, blank=True)
    confirm_intro = models.TextField(_("confirmation email text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["campaign", "language"], name="one_translation_per_language")]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.language})"

    def clean(self) -> None:
        if self.campaign_id and self.language == self.campaign.language:
            raise ValidationError({"language": _("This is the campaign's default language: edit the campaign itself.")})

    def save(self, *args, **kwargs) -> None:
        if self.campaign.text_format == rich_text.HTML:
            self.story = sanitise_html(self.story)
        super().save(*args, **kwargs)


def paragraphs(text: str) -> list[str]:
    """Plain text as a campaigner types it: blank lines separate paragraphs."""
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def fill_in(text: str, **values: str) -> str:
    """A campaigner's {placeholders} filled in; any other brace is left as written (no str.format)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


class CampaignUpdate(models.Model):
    """News for a campaign's supporters: shown on its page and, once sent, emailed to those who asked for updates.

    Sending is delivery's (outcry.updates.services.send_update); the send_* fields record its progress,
    so a worker that dies mid-send resumes after the last supporter it reached.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates", verbose_name=_("campaign"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: blank lines separate paragraphs, **bold**, [a link](https://example.org)."))
    published = models.BooleanField(_("show on the campaign page"), default=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    send_requested_at = models.DateTimeField(_("sending asked at"), null=True, blank=True)
    # The highest action id already given its email: fanning out resumes after it.
    send_watermark = models.BigIntegerField(default=0, editable=False)
    send_finished_at = models.DateTimeField(_("every email queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:update", kwargs={"slug": self.campaign.slug, "pk": self.pk})

    @property
    def date(self):
        return (self.send_requested_at or self.created_at).date()

    def translated(self, language: str) -> CampaignUpdate:
        """A copy in `language` where the update has that translation (else as written); not for saving."""
        shown = copy.copy(self)
        translation = next((t for t in self.translations.all() if t.language == language), None)
        if translation is not None:
            shown.title = translation.title or self.title
            shown.body = translation.body or self.body
        shown.content_language = translation.language if translation else self.campaign.language
        return shown

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)

    @property
    def body_html(self) -> SafeString:
        """The update as its page, its email and the studio show it: Markdown (plain paragraphs are Markdown too)."""
        return rich_text.render_text(self.body, rich_text.MARKDOWN)


class UpdateTranslation(models.Model):
    update = models.ForeignKey(CampaignUpdate, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["update", "language"], name="one_update_translation_per_language")]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return f"{self.update} ({self.language})"


class StoryImage(models.Model):
    """An image a campaigner placed in a story (Markdown ![alt](url)). The upload is kept out of MEDIA_ROOT
    until the worker has re-encoded it (outcry/campaigns/story_images.py): only the WebP copies, with no
    EXIF, are ever public, at story/<key>.webp and story/<key>-<width>w.webp."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be read")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="story_images", verbose_name=_("campaign"))
    # Random, so a draft's images cannot be guessed from the public media folder.
    key = models.CharField(max_length=32, unique=True, editable=False)
    alt = models.CharField(_("image description (alt text)"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # [{"width", "height", "name"}], narrowest first; the last one is story/<key>.webp.
    renditions = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story image")
        verbose_name_plural = _("story images")

    def __str__(self) -> str:
        return self.alt

    @property
    def name(self) -> str:
        return f"story/{self.key}.webp"

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    @property
    def markdown(self) -> str:
        alt = self.alt.replace("\\", "").replace("[", "(").replace("]", ")").replace("\n", " ")
        return f"![{alt}]({self.url})"

    @property
    def picture(self) -> rich_text.Picture:
        smaller = tuple((default_storage.url(r["name"]), r["width"]) for r in self.renditions[:-1])
        return rich_text.Picture(src=self.url, width=self.width, height=self.height, smaller=smaller)


def story_pictures(organisation_id: int | None) -> rich_text.Pictures:
    """For render_text: of the image addresses a text uses, the ready story images of this organisation's
    campaigns. An image of another organisation, or anywhere else, is not shown."""

    def known(urls: list[str]) -> dict[str, rich_text.Picture]:
        prefix = default_storage.url("story/")
        keys = {url.removeprefix(prefix).removesuffix(".webp") for url in urls if url.startswith(prefix) and url.endswith(".webp")}
        if not keys or organisation_id is None:
            return {}
        rows = StoryImage.objects.filter(key__in=keys, campaign__organisation_id=organisation_id, state=StoryImage.State.READY)
        return {row.url: row.picture for row in rows}

    return known
