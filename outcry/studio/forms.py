from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.models import (
    Campaign,
    CampaignTranslation,
    CampaignUpdate,
    LearnMoreLink,
    Membership,
    Organisation,
    Target,
)
from outcry.delivery.emails import CONTROL_CHARS
from outcry.lib.images import WebImageFormField
from outcry.lib.sanitise import validate_web_url

MARKDOWN_HELP = _(
    "Markdown: a blank line starts a new paragraph; **bold**, *italics*, [link text](https://example.org), "
    "&lt;https://example.org&gt; for a bare address, lines starting with - for a list, ## for a heading."
)


class MarkdownTextarea(forms.Textarea):
    """A textarea for Markdown with its toolbar (studio/js/markdown-toolbar.js). The toolbar stays hidden
    without JavaScript; the field's help text says the format. With image_url, an Image button uploads
    into the story (studio:story_images) and inserts the ![alt](url) it answers."""

    template_name = "studio/widgets/markdown.html"

    def __init__(self, attrs: dict | None = None, image_url: str = "") -> None:
        super().__init__({"rows": 12, **(attrs or {}), "data-markdown": True})
        self.image_url = image_url

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["image_url"] = self.image_url
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        # The site's template engine (outcry/templates), not the form renderer's own, which only sees app folders.
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - an autoescaped template


class NewCampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "slug", "action_kind", "language"]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title", "summary", "language", "offered_languages", "text_format", "headline", "story", "call_to_action",
            "hero_image", "hero_alt", "hero_caption",
            "action_kind", "goal", "message_before_goal", "message_near_goal", "message_after_action",
            "thank_you_text", "message_after_acting", "consent_wording",
            "share_message", "share_x_text", "share_email_subject", "share_email_body",
            "letter_subject", "letter_salutation", "letter_body", "letter_signoff", "allow_personalise",
            "delivery_mode", "double_opt_in", "hold_flagged",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "story": MarkdownTextarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["story"].help_text = MARKDOWN_HELP
        if self.instance.pk:
            self.fields["story"].widget.image_url = reverse("studio:story_images", kwargs={"pk": self.instance.pk})


class ScheduleForm(forms.ModelForm):
    """When a draft goes live and when the campaign closes, in UTC (the site's time), as labelled."""

    class Meta:
        model = Campaign
        fields = ["opens_at", "closes_at"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        labels = {"opens_at": _("Opens at (UTC)"), "closes_at": _("Closes at (UTC)")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.status != Campaign.Status.DRAFT:
            del self.fields["opens_at"]

    def clean(self) -> dict:
        cleaned = super().clean()
        now = timezone.now()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if "opens_at" in self.changed_data and opens_at and opens_at <= now:
            self.add_error("opens_at", _("Choose a time in the future, or go live now from the overview."))
        if "closes_at" in self.changed_data and closes_at and closes_at <= now:
            self.add_error("closes_at", _("Choose a time in the future, or close the campaign now from the overview."))
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The campaign must close after it opens."))
        return cleaned


class TranslationForm(forms.ModelForm):
    class Meta:
        model = CampaignTranslation
        fields = list(CampaignTranslation.TRANSLATED_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "story": MarkdownTextarea(attrs={"rows": 16})}


class NamesForm(forms.Form):
    """Targets' names and titles and "learn more" links' titles and addresses in one language, one field each
    (`target-<id>-name`), beside the default language's words. An empty field shows the default language's."""

    LABELS = {
        ("target", "name"): _("Name of target %(n)d"), ("target", "title"): _("Title of target %(n)d"),
        ("link", "title"): _("Title of link %(n)d"), ("link", "url"): _("Address of link %(n)d"),
    }

    def __init__(self, *args: object, targets: list[Target], links: list[LearnMoreLink], language: str, first: int = 1,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # (kind, row, field name, form field's name, the default language's words), in the page's order.
        self.rows: list[tuple[str, Target | LearnMoreLink, str, str, str]] = []
        for kind, objects, names, start in (("target", targets, ("name", "title"), first), ("link", links, ("title", "url"), 1)):
            for n, obj in enumerate(objects, start):
                words = (obj.translations or {}).get(language)
                words = words if isinstance(words, dict) else {}
                for name in names:
                    key = f"{kind}-{obj.pk}-{name}"
                    label = self.LABELS[(kind, name)] % {"n": n}
                    if name == "url":
                        # http(s) only, like the address itself (outcry.lib.sanitise).
                        self.fields[key] = forms.URLField(
                            label=label, required=False, max_length=200, assume_scheme="https", validators=[validate_web_url],
                        )
                    else:
                        self.fields[key] = forms.CharField(label=label, required=False, max_length=obj._meta.get_field(name).max_length)
                    self.fields[key].widget.attrs.update({"lang": language, "dir": "ltr" if name == "url" else "auto"})
                    value = words.get(name)
                    self.initial[key] = value if isinstance(value, str) else ""
                    self.rows.append((kind, obj, name, key, getattr(obj, name)))

    def missing(self) -> set[str]:
        """The fields whose default-language words are not translated yet (an address may stay the same)."""
        return {key for _kind, _obj, name, key, original in self.rows if name != "url" and original and not self.initial[key]}

    def words(self, kind: str) -> dict[int, dict[str, str]]:
        """The cleaned words of one kind of row, by the row's id, for campaigns.services.save_translated_names."""
        result: dict[int, dict[str, str]] = {}
        for row_kind, obj, name, key, _original in self.rows:
            if row_kind == kind:
                result.setdefault(obj.pk, {})[name] = self.cleaned_data.get(key) or ""
        return result


class UpdateForm(forms.ModelForm):
    class Meta:
        model = CampaignUpdate
        fields = ["title", "body", "published"]
        widgets = {"body": MarkdownTextarea(attrs={"rows": 10})}


TargetFormSet = forms.inlineformset_factory(
    Campaign, Target, fields=["name", "title", "email", "group", "country", "language", "position"], extra=2, can_delete=True,
)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class MemberRoleForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class TokenForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code your app shows"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "website", "privacy_url", "logo", "brand_colour", "footer_text", "sender_name"]

    def clean_sender_name(self) -> str:
        # It goes into the From header of every email to supporters: one line (the emails fold it anyway).
        name = self.cleaned_data["sender_name"]
        if CONTROL_CHARS.search(name):
            raise forms.ValidationError(_("Write the sender name on one line, without control characters."))
        return name


class StoryImageForm(forms.Form):
    """An image for the story: checked by content and pixels (WebImageFormField) and by its size in bytes."""

    image = WebImageFormField(label=_("Image"), help_text=_("JPEG, PNG or WebP."))
    alt = forms.CharField(
        label=_("Description (alt text)"), max_length=300,
        help_text=_("What the image shows, for people who cannot see it. Required."),
    )

    def clean_image(self) -> UploadedFile:
        image = self.cleaned_data["image"]
        if image.size > settings.OUTCRY_IMAGE_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is too large: at most %(megabytes)s MB.") % {"megabytes": settings.OUTCRY_IMAGE_MAX_BYTES // 1_000_000},
                code="too_large",
            )
        return image

