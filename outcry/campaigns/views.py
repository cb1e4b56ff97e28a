from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template import context_processors
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outcry.actions import counting, referral
from outcry.actions.forms import ActionForm, default_country
from outcry.actions.links import action_for_return
from outcry.actions.models import Action
from outcry.actions.services import ActionData
from outcry.campaigns.attribution import with_attribution
from outcry.campaigns.languages import SHARE_PARAMS, languages
from outcry.campaigns.models import Campaign, CampaignUpdate, Organisation
from outcry.campaigns.preview import link_preview, share_image
from outcry.campaigns.progress import progress
from outcry.campaigns.services import ask_for_campaign_images
from outcry.campaigns.share import mailto_links, share_context
from outcry.lib.client import client_ip, limit_network, see_other
from outcry.lib.csrf import origin_proof
from outcry.lib.sanitise import safe_url
from outcry.lib.shared_cache import Personal, Shared, answer, etag_of, may_hold_session, personal, remembered, shared
from outcry.safety.ratelimit import too_many_requests
from outcry.safety.screening import record_action, refused, screen_submission

CSRF_SLOT = b"<!--csrf-token-->"
ATTRIBUTION_PARAMS = SHARE_PARAMS
# The thank-you page's shared copy holds this where the supporter's referral code goes: letters only, so
# HTML and URL encoding leave it as it is, and no code can be it (codes are 8 characters).
REF_SLOT = b"REFxSLOTxREFxSLOT"
MAILTO_SLOT = b"<!--mailto-->"
# Where the thank-you page greets the supporter by their first name, from their own cookie.
NAME_SLOT = b"<!--first-name-->"


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    if _is_anonymous(request):
        return public_campaign(slug).translated(get_language())
    queryset = Campaign.objects.visible_to(request.user).select_related("organisation")
    return get_object_or_404(queryset, slug=slug).translated(get_language())


def public_campaign(slug: str) -> Campaign:
    """The public campaign as this process read it at most OUTCRY_LOCAL_CACHE_SECONDS ago, with what
    an action and the page need already loaded, so a storm of actions costs no campaign queries.

    An edit shows at once in the process that made it (shared_cache.bump_campaign_version) and within
    that second everywhere else. Shared between threads: never modify it (translated() copies).
    """
    def load() -> Campaign:
        queryset = Campaign.objects.public().select_related("organisation", "follow_up_campaign").prefetch_related(
            "targets", "links", "translations", "updates__translations"
        )
        return get_object_or_404(queryset, slug=slug)

    return remembered(f"campaign:{slug}", settings.OUTCRY_LOCAL_CACHE_SECONDS, load)


def published_updates(campaign: Campaign) -> list[CampaignUpdate]:
    """The campaign's updates for its page's timeline, newest first, in the page's language."""
    language = getattr(campaign, "shown_in", "") or get_language() or campaign.language
    return [update.translated(language) for update in campaign.updates.all() if update.published]


def page_context(campaign: Campaign, country: str = "") -> dict:
    """What page.html needs besides the form; the studio's preview renders the same template with it."""
    count = counting.get_count(campaign.pk)
    language = getattr(campaign, "shown_in", "") or campaign.language
    return {
        "campaign": campaign,
        "organisation": campaign.organisation.in_language(language),
        # The switcher offers only the languages this campaign offers and has complete.
        "offered_languages": campaign.public_languages,
        "updates": published_updates(campaign),
        "count": count,
        "progress": progress(count, campaign.goal),
        # Every target is in the page; those that don't apply to the form's country are hidden, and the
        # page's script shows the right ones when the country changes (no script: "Update the recipients").
        "targets": [target.in_language(language) for target in campaign.targets.all()],
        "applying_ids": {target.pk for target in campaign.targets_for(country)},
        "grouped": any(target.group for target in campaign.targets.all()),
        "links": [link.in_language(language) for link in campaign.links.all()],
        # Replies campaigners chose to publish (outcry.delivery.services.publish_response).
        "responses": list(campaign.responses.filter(published=True).select_related("target").order_by("-received_at")[:5]),
        "letter_paragraphs": campaign.letter_paragraphs(),
        "preview": link_preview(campaign),
        "poll_ms": settings.OUTCRY_COUNTER_POLL_MS,
    } | share_context(campaign)


def index(request: HttpRequest) -> HttpResponse:
    live = Campaign.objects.live().select_related("organisation").with_translation(get_language())
    campaigns = [campaign.translated(campaign.page_language(get_language())) for campaign in live]
    counts = counting.get_counts(c.pk for c in campaigns)
    rows = [(c, counts[c.pk], progress(counts[c.pk], c.goal)) for c in campaigns]
    return render(request, "campaigns/index.html", {"rows": rows})


def _form_initial(request: HttpRequest) -> dict[str, str]:
    initial = {key: request.GET.get(key, "") for key in ATTRIBUTION_PARAMS}
    initial["country"] = default_country(request.headers.get("Accept-Language", ""))
    return initial


def _is_anonymous(request: HttpRequest) -> bool:
    # A visitor without a session cookie costs no session lookup; one whose cookie names no signed-in
    # session (expired, forged, `sessionid=x`) is anonymous too, and gets the shared page.
    return not may_hold_session(request) or not request.user.is_authenticated


def _is_anonymous_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and _is_anonymous(request)


def _will_prove_origin(request: HttpRequest) -> bool:
    # A browser that sends Fetch Metadata on this GET sends it on the form's POST too, where
    # outcry/lib/csrf.py accepts it in place of a token. Scripts and old browsers send none of it.
    return "Sec-Fetch-Site" in request.headers


def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The page as every anonymous visitor sees it, shared through outcry/lib/shared_cache.py.

    One copy per campaign and language, whatever the query string: the attribution a share link carries
    (ref, via, utm_*) is not in it. The page's script copies those parameters into the form's hidden
    fields; without script, the action's POST carries the page's address in its Referer and
    outcry/campaigns/attribution.py reads them from there. The country the form guesses comes from the
    page's language alone, not the visitor's Accept-Language region (one copy per region would let
    anyone fill the cache); the script refines it from the browser's languages.

    The shared copy has an empty slot where the CSRF token goes. A browser that proves its origin
    gets the copy as it is, cacheable by any proxy; any other client gets the same copy with its own
    token in the slot, privately, so a form posted by a script or an old browser still passes.
    """
    initial = {"country": default_country()}

    def build() -> Shared:
        campaign = get_object_or_404(Campaign.objects.public().select_related("organisation"), slug=slug)
        campaign = campaign.translated(get_language())
        context = page_context(campaign, initial.get("country", "")) | {"form": ActionForm(initial=initial, campaign=campaign)}
        # Rendered without the request's context processors, so no CSRF token and no cookie can
        # reach the shared copy; only the request itself and the language are passed on.
        context |= context_processors.i18n(request) | languages(request) | {"request": request, "csrf_slot": CSRF_SLOT.decode(), "country_guess": True}
        body = render_to_string("campaigns/page.html", context).encode()
        return Shared(body=body, etag=etag_of(body))

    # A prefixed page (/fr/c/x/) links to prefixed addresses, a negotiated one to plain ones.
    prefix = getattr(request, "language_from_path", "")
    variant = (get_language() or "", prefix)
    seconds = settings.OUTCRY_PAGE_CACHE_SECONDS
    item = shared("page", slug, variant, seconds, build)
    if _will_prove_origin(request):
        item = replace(item, body=item.body.replace(CSRF_SLOT, b""))
        return answer(
            request, item, content_type="text/html; charset=utf-8", seconds=seconds,
            vary=("Cookie", "Sec-Fetch-Site"),
        )
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    response = HttpResponse(item.body.replace(CSRF_SLOT, token.encode()), content_type="text/html; charset=utf-8")
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ("Cookie", "Sec-Fetch-Site"))
    return response


def in_page_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A campaign's page in a language it does not offer (or has not finished) is its default language's page,
    never a half-translated one: a prefixed address (/fr/c/x/) redirects to the default language's, and a
    negotiated one (Accept-Language, the cookie) is answered in the default language. So the shared copies
    stay one per offered language."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: object, **kwargs: object) -> HttpResponse:
        wanted = get_language()
        anonymous = _is_anonymous(request)
        try:
            campaign = public_campaign(slug) if anonymous else _campaign(request, slug)
        except DatabaseError:
            # The database is away: the view answers from its last good copy (or says so), as asked.
            return view(request, slug, *args, **kwargs)
        shown = campaign.page_language(wanted)
        if shown == wanted:
            return view(request, slug, *args, **kwargs)
        if getattr(request, "language_from_path", "") and request.method in ("GET", "HEAD"):
            query = request.GET.urlencode()
            url = f"{getattr(request, 'base_script_prefix', '/')}{shown}{request.path_info}" + (f"?{query}" if query else "")
            response = HttpResponseRedirect(url)
            if anonymous:
                patch_cache_control(response, public=True, max_age=settings.OUTCRY_PAGE_CACHE_SECONDS)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
            return response
        with translation.override(shown):
            response = view(request, slug, *args, **kwargs)
        response["Content-Language"] = shown
        return response

    return wrapper


@origin_proof
@in_page_language
def page(request: HttpRequest, slug: str) -> HttpResponse:
    if _is_anonymous_read(request):
        return public_page(request, slug)
    campaign = _campaign(request, slug)
    status = 200
    if request.method == "POST" and campaign.is_open and "show_targets" in request.POST:
        # Without JavaScript: the page again with the supporter's input kept and the letter addressed
        # to the targets of the country they chose; nothing is stored.
        form = ActionForm(initial=_kept_input(request, campaign), campaign=campaign)
    elif request.method == "POST" and campaign.is_open:
        form = ActionForm(with_attribution(request), campaign=campaign)
        screening = screen_submission(request, campaign, form)
        if screening.refused:
            return refused(request, back_url=campaign.get_absolute_url())
        if screening.retry_after:
            return too_many_requests(request, screening.retry_after, back_url=campaign.get_absolute_url())
        if screening.accepted:
            action = record_action(campaign=campaign, data=_action_data(form, request), screening=screening)
            response = see_other(campaign.get_absolute_url() + "thanks/")
            if action is not None:
                referral.remember(response, request, campaign, action)
            return response
        status = 400
    elif request.method == "POST":
        return see_other(campaign.get_absolute_url())
    else:
        form = ActionForm(initial=_form_initial(request), campaign=campaign)
    context = page_context(campaign, str(form["country"].value() or "")) | {"form": form}
    return render(request, "campaigns/page.html", context, status=status)


def _kept_input(request: HttpRequest, campaign: Campaign) -> dict:
    # The share parameters are kept too: the page that comes back has no query for the next Referer.
    initial = {key: value for key, value in with_attribution(request).items() if key in ActionForm.base_fields and key != "targets"}
    # The boxes the supporter left ticked stay ticked, and each group's target for the new country starts
    # ticked (its box was disabled, so unsent, while another country was chosen).
    routed = [str(t.pk) for t in campaign.targets_for(initial.get("country", "")) if t.group]
    initial["targets"] = request.POST.getlist("targets") + routed
    return initial


def _label_shown(form: ActionForm, name: str) -> str:
    """The words beside a consent box, in the language the supporter read them, to store with their choice."""
    return str(form.fields[name].label) if name in form.fields else ""


def _action_data(form: ActionForm, request: HttpRequest) -> ActionData:
    data = form.cleaned_data
    return ActionData(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        country=data["country"],
        postcode=data["postcode"],
        consent_updates=data["consent_updates"],
        withhold_name=data.get("withhold_name", False),
        withhold_name_wording=_label_shown(form, "withhold_name"),
        forward_replies=data.get("forward_replies", False),
        forward_replies_wording=_label_shown(form, "forward_replies"),
        letter_text=data.get("letter_text", ""),
        target_ids=tuple(data.get("targets") or ()),
        language=get_language() or settings.LANGUAGE_CODE,
        ref=data["ref"],
        via=data["via"],
        utm_source=data["utm_source"],
        utm_medium=data["utm_medium"],
        utm_campaign=data["utm_campaign"],
        # Velocity groups by it: per network, like the rate limits (outcry/lib/client.py).
        ip=limit_network(client_ip(request)),
        mailbox_proven=form.mailbox_proven(),
    )


def thanks_context(campaign: Campaign, action: Action | None, ref: str, *, state: str = "") -> dict:
    """What thanks.html needs; the studio's preview passes no action. `state` is a referral.State, or ""
    when the page cannot know what became of the action (no cookie): then it claims nothing."""
    return page_context(campaign) | {
        "mailto_links": mailto_links(campaign, action),
        "state": state,
        "awaiting_confirmation": state == referral.State.AWAITING,
        "acted": bool(ref),
        # The next campaign's title in the language of this page, where it has one.
        "follow_up_title": campaign.follow_up_campaign.translated(campaign.shown_in).title
        if campaign.follow_up_campaign and getattr(campaign, "shown_in", "") else "",
    } | share_context(campaign, ref)


def _greeting(first_name: str) -> bytes:
    if not first_name:
        return b""
    return format_html('<p class="greeting">{}</p>', _("Thank you, %(name)s.") % {"name": first_name}).encode()


@in_page_language
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The thank-you page, as cheap as the campaign page: one shared copy per campaign, language and
    what became of the action (counted, awaiting confirmation, pending, or unknown without a cookie), with
    placeholders where the supporter's referral code goes in the share links and where they are greeted by
    first name; the view fills both from their signed cookie (actions.referral). Only an email-
    your-target campaign reads the action, for the mailto draft in the supporter's own words.
    The view is counted for the share-channel conversion without a write (counting.note()).
    """
    anonymous = _is_anonymous(request)
    # Anonymous: the process's copy, translated (copied) only to build a shared copy or a mailto draft.
    campaign = public_campaign(slug) if anonymous else _campaign(request, slug)
    acted = referral.read(request, campaign)
    ref, state = (acted.code, acted.state) if acted else ("", "")
    if not anonymous:
        counting.note(campaign.pk, counting.Metric.THANKS_VIEWS)
        greeting = _greeting(acted.first_name if acted else "")
        action = Action.objects.filter(campaign=campaign, referral_code=ref).first() if ref else None
        response = render(request, "campaigns/thanks.html", thanks_context(campaign, action, ref, state=state) | {"greeting_slot": greeting.decode()})
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def build() -> Shared:
        shown = campaign.translated(get_language())
        context = thanks_context(shown, None, REF_SLOT.decode() if ref else "", state=state)
        context |= {"mailto_slot": MAILTO_SLOT.decode(), "greeting_slot": NAME_SLOT.decode()}
        # As public_page: no request context processors, so nothing per-visitor reaches the copy.
        context |= context_processors.i18n(request) | languages(request) | {"request": request}
        body = render_to_string("campaigns/thanks.html", context).encode()
        return Shared(body=body, etag=etag_of(body))

    prefix = getattr(request, "language_from_path", "")
    seconds = settings.OUTCRY_PAGE_CACHE_SECONDS
    item = shared("thanks", slug, (get_language() or "", prefix, bool(ref), str(state)), seconds, build)
    if not acted:
        counting.note(campaign.pk, counting.Metric.THANKS_VIEWS)
        # The same for every visitor without a cookie; not kept by the front copy, which keys on no cookie.
        body = item.body.replace(MAILTO_SLOT, b"").replace(NAME_SLOT, b"")
        return answer(request, Shared(body=body, etag=item.etag), content_type="text/html; charset=utf-8",
                      seconds=seconds, vary=("Cookie",), front=False)
    spec = _thanks_personal(campaign, get_language() or "")
    if campaign.action_kind == Campaign.ActionKind.MAILTO:
        # The draft in the supporter's own words: one read, and never from the front copy.
        action = Action.objects.filter(campaign=campaign, referral_code=ref).first()
        shown = campaign.translated(get_language())
        mailto = render_to_string("campaigns/_mailto.html", {"campaign": shown, "mailto_links": mailto_links(shown, action)}).encode()
        response = HttpResponse(spec.fill(acted, item.body.replace(MAILTO_SLOT, mailto)), content_type="text/html; charset=utf-8")
    else:
        body = item.body.replace(MAILTO_SLOT, b"")
        response = personal(HttpResponse(spec.fill(acted, body), content_type="text/html; charset=utf-8"), spec, str(state), body, seconds)
    # The supporter's own code and name: for their browser only, never a shared cache (issue 13.6).
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def _thanks_personal(campaign: Campaign, language: str) -> Personal:
    """The thank-you page made a supporter's own, by the view or by SharedResponseMiddleware in front of
    the stack: the copy for what became of their action, their code and first name from their cookie.
    Counted here, so a view answered in front counts too."""

    def read(request: HttpRequest) -> tuple[str, referral.Acted] | None:
        acted = referral.read(request, campaign)
        if acted is None or campaign.action_kind == Campaign.ActionKind.MAILTO:
            return None
        return str(acted.state), acted

    def fill(acted: referral.Acted, body: bytes) -> bytes:
        counting.note(campaign.pk, counting.Metric.THANKS_VIEWS)
        with translation.override(language):
            greeting = _greeting(acted.first_name)
        # A code is [A-Za-z0-9_-] (CODE_RE): the same in HTML, in a URL and URL-encoded inside another URL.
        return body.replace(REF_SLOT, acted.code.encode()).replace(NAME_SLOT, greeting)

    return Personal(read=read, fill=fill)


def share_png(request: HttpRequest, slug: str) -> FileResponse:
    """The link preview image; its address carries a version, so the finished one may be cached for long.
    Only served here: the worker draws it over the hero photo (campaigns.tasks)."""
    campaign = _campaign(request, slug)
    path, finished = share_image(campaign)
    if not finished:
        ask_for_campaign_images(campaign)
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = f"public, max-age={86400 if finished else 60}"
    return response


def update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    item = get_object_or_404(campaign.updates.filter(published=True).prefetch_related("translations"), pk=pk)
    response = render(request, "campaigns/update.html", {"campaign": campaign, "update": item.translated(get_language())})
    patch_cache_control(response, public=True, max_age=settings.OUTCRY_PAGE_CACHE_SECONDS)
    return response


def follow_up(request: HttpRequest, slug: str) -> HttpResponse:
    """The thank-you page's next ask: count the click (the dashboard's "took the next step"), then go there."""
    campaign = _campaign(request, slug)
    next_campaign = campaign.follow_up_campaign
    if next_campaign is not None and next_campaign.status in (Campaign.Status.LIVE, Campaign.Status.CLOSED):
        destination = next_campaign.get_absolute_url()
    elif safe_url(campaign.follow_up_url):
        destination = campaign.follow_up_url
    else:
        return see_other(campaign.get_absolute_url())
    counting.note(campaign.pk, counting.Metric.FOLLOW_UPS)
    return see_other(destination)


def returning(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A supporter back from an email's one-click link: the page with their details filled in, for them only.

    The form posts to the ordinary page with the token as a hidden field: the supporter may change any
    field, and only the same email address skips the confirmation email (actions/links.py).
    """
    campaign = _campaign(request, slug)
    earlier = action_for_return(token, campaign)
    initial = _form_initial(request)
    if earlier is not None and campaign.is_open:
        initial |= {
            "first_name": earlier.first_name, "last_name": earlier.last_name, "email": earlier.email,
            "country": earlier.country, "return_token": token,
        }
    # From a partner organisation's email (outcry.campaigns.partners): the page says whose campaign this is.
    partner_of = earlier.campaign.organisation if earlier and earlier.campaign.organisation_id != campaign.organisation_id else None
    context = page_context(campaign) | {
        "form": ActionForm(initial=initial, campaign=campaign), "returning": earlier, "returning_partner_of": partner_of,
    }
    response = render(request, "campaigns/page.html", context)
    # Holds the supporter's name and address: never stored by a cache, never sent as a referrer.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    return response


def brand_css(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """The organisation's colour as a stylesheet of our own origin (the pages' CSP allows no inline style).
    The address carries the colour, so it may be cached for long."""
    organisation = get_object_or_404(Organisation, slug=slug)
    colour = organisation.brand_colour if organisation.brand_version == version else ""
    css = f":root {{ --accent: {colour}; }}\n" if colour else ""
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400 if colour else 60)
    return response
