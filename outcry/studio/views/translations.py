"""A campaign in one more language, beside its default language: the campaign's own words, and the names
and titles of its targets and the titles and addresses of its "learn more" links (which live in each row's
`translations`, so they are a form of their own, saved by campaigns.services.save_translated_names)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outcry.campaigns.checklist import missing_translations
from outcry.campaigns.models import Campaign
from outcry.campaigns.services import save_translated_names, save_translation
from outcry.lib import rich_text
from outcry.lib.client import see_other
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.forms import MARKDOWN_HELP, NamesForm, TranslationForm
from outcry.studio.listing import paginate
from outcry.studio.views import _page

# Two fields a target: a page of 100 stays far below Django's 1,000 fields a request.
TARGETS_PER_PAGE = 100


def _other_language(campaign: Campaign, language: str) -> str:
    if language not in dict(settings.LANGUAGES) or language == campaign.language:
        raise Http404
    return language


def _names_form(request: HttpRequest, campaign: Campaign, language: str, data: object = None) -> tuple[NamesForm, dict]:
    """The names form for the requested page of targets (?page=), bound to `data` when it was posted."""
    shown, query = paginate(request, campaign.targets.order_by("position", "pk"), {}, per_page=TARGETS_PER_PAGE)
    form = NamesForm(
        data, targets=list(shown), links=list(campaign.links.all()),
        language=language, first=shown.start_index() or 1,
    )
    return form, {"shown": shown, "query": query}


def _translate_page(request: HttpRequest, access: Access, language: str, form: TranslationForm, names: NamesForm,
                    pages: dict) -> HttpResponse:
    campaign = access.campaign
    existing = campaign.translations.filter(language=language).first()
    missing = set(missing_translations(campaign, existing))
    rows = [(form[name], getattr(campaign, name), name in missing) for name in TranslationForm.Meta.fields]
    missing_names = names.missing()
    name_rows = [(names[key], original, key in missing_names) for _kind, _obj, _name, key, original in names.rows]
    return _page(
        request, "translate", access, status=400 if form.errors or names.errors else 200, form=form, rows=rows,
        language=language, language_name=dict(settings.LANGUAGES)[language], missing_count=len(missing),
        names=names, name_rows=name_rows, missing_names=len(missing_names), **pages,
    )


@studio_view(Role.EDITOR)
def translate(request: HttpRequest, access: Access, language: str) -> HttpResponse:
    """One language beside the default, field by field; the fields left to translate are marked."""
    campaign = access.campaign
    language = _other_language(campaign, language)
    form = TranslationForm(request.POST or None, instance=campaign.translations.filter(language=language).first())
    # The toolbar types Markdown only into a campaign written in it (studio/js/markdown-toolbar.js).
    form.fields["story"].widget.attrs["data-text-format"] = campaign.text_format
    if campaign.text_format == rich_text.MARKDOWN:
        form.fields["story"].help_text = MARKDOWN_HELP
    if request.method == "POST" and form.is_valid():
        save_translation(campaign, language, {name: form.cleaned_data[name] for name in TranslationForm.Meta.fields})
        messages.success(request, _("Translation saved."))
        return see_other(reverse("studio:translate", kwargs={"pk": campaign.pk, "language": language}))
    names, pages = _names_form(request, campaign, language)
    return _translate_page(request, access, language, form, names, pages)


@studio_view(Role.EDITOR)
@require_POST
def translate_names(request: HttpRequest, access: Access, language: str) -> HttpResponse:
    """Targets' and links' words in one language (one page of targets at a time), saved together."""
    campaign = access.campaign
    language = _other_language(campaign, language)
    names, pages = _names_form(request, campaign, language, request.POST)
    if names.is_valid():
        save_translated_names(campaign, language, names.words("target"), names.words("link"))
        messages.success(request, _("Names and links saved."))
        url = reverse("studio:translate", kwargs={"pk": campaign.pk, "language": language})
        page = pages["shown"].number
        return see_other(f"{url}?page={page}#names" if page > 1 else f"{url}#names")
    form = TranslationForm(instance=campaign.translations.filter(language=language).first())
    return _translate_page(request, access, language, form, names, pages)

