from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.models import Campaign, CampaignTranslation, CampaignUpdate, Membership, Organisation, Target
from outcry.delivery.emails import CONTROL_CHARS
from outcry.lib.images import WebImageFormField

MARKDOWN_HELP = _(
    "Markdown: a blank line starts a new paragraph; **bold**, *italics*, [link text](https://example.org), "
    "&lt;https://example.org&gt; for a bare address, lines starting with - for a list, ## for a heading."
)


class NewCampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "slug", "action_kind", "language"]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title", "summary", "language", "text_format", "headline", "story", "call_to_action",
            "hero_image", "hero_alt", "hero_caption",
            "action_kind", "goal", "message_before_goal", "message_near_goal", "message_after_action",
            "thank_you_text", "message_after_acting", "consent_wording",
            "share_message", "share_x_text", "share_email_subject", "share_email_body",
            "letter_subject", "letter_salutation", "letter_body", "letter_signoff", "allow_personalise",
            "delivery_mode", "double_opt_in", "hold_flagged",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "story": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["story"].help_text = MARKDOWN_HELP


class TranslationForm(forms.ModelForm):
    class Meta:
        model = CampaignTranslation
        fields = list(CampaignTranslation.TRANSLATED_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "story": forms.Textarea(attrs={"rows": 16})}


class UpdateForm(forms.ModelForm):
    class Meta:
        model = CampaignUpdate
        fields = ["title", "body", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


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
