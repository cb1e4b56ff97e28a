"""The hand-in PDF: the campaign, its letter, the count and date, then every signer's name and country.

WeasyPrint lays the document out with Pango, so Arabic names are shaped and run right to left in
Debian's Noto fonts. A big campaign is rendered in chunks of CHUNK_NAMES names (each a few pages,
all of the same layout) and the chunks are joined with pypdf, so memory stays bounded and the admin
sees the progress after every chunk.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_countries import countries

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.names import is_withheld, name_for_target, plain_name, withheld_countries
from outcry.campaigns.models import Campaign
from outcry.lib.csv_export import Echo, csv_safe
from outcry.reports.models import HandIn

logger = logging.getLogger(__name__)

NAMES_PER_PAGE = 195  # 3 columns of 65 lines: the template's page fits exactly this many
CHUNK_NAMES = NAMES_PER_PAGE * 40


def hand_in_dir() -> Path:
    # Outside MEDIA_ROOT on purpose: /media/ is served to anyone, these files only to the organisation.
    path = Path(settings.OUTCRY_PRIVATE_DIR) / "hand-ins"
    path.mkdir(parents=True, exist_ok=True)
    return path


def hand_in_path(hand_in: HandIn) -> Path:
    return hand_in_dir() / f"{hand_in.pk}.pdf"


def hand_in_download(hand_in: HandIn) -> FileResponse:
    """The finished PDF as a private download; the caller has checked who may have it."""
    path = hand_in_path(hand_in)
    if not path.exists():
        raise Http404
    name = f"{hand_in.campaign.slug}-hand-in-{hand_in.created_at:%Y-%m-%d}.pdf"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def direction(text: str) -> str:
    """rtl when the first strongly directional letter is Arabic or Hebrew, so the name is laid out whole."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def signer_rows(campaign: Campaign) -> Iterator[tuple[str, str, str, datetime]]:
    """The hand-in's list as its targets see it: (first name, last name, country code, acted at), counted,
    not erased, in the order they acted; a withheld name is "A supporter from <country>" and an empty
    last name. Call inside translation.override(the campaign's language)."""
    withheld = withheld_countries(campaign)
    rows = (
        Action.objects.signers().filter(campaign_id=campaign.pk)
        .order_by("pk")
        .values_list("first_name", "last_name", "country", "created_at", "withhold_name")
        .iterator(chunk_size=5000)
    )
    for first, last, country, created_at, withhold_name in rows:
        if is_withheld(withhold_name, country, withheld):
            yield name_for_target(first, last, country, True), "", country, created_at
        else:
            # plain_name again: rows stored before names were cleaned on the way in print right too.
            yield plain_name(first), plain_name(last), country, created_at


def _signers(campaign: Campaign) -> Iterator[tuple[str, str, str]]:
    for first, last, country, _acted_at in signer_rows(campaign):
        name = f"{first} {last}".strip()
        yield name, str(countries.name(country)) or country, direction(name)


def _pages(names: list[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    return [names[i:i + NAMES_PER_PAGE] for i in range(0, len(names), NAMES_PER_PAGE)]


def _render(context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/hand_in.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def build_hand_in(hand_in_id: str) -> HandIn:
    """Render the hand-in document to its private file, recording progress as it goes. Idempotent."""
    from pypdf import PdfWriter

    hand_in = HandIn.objects.select_related("campaign__organisation").get(pk=hand_in_id)
    campaign = hand_in.campaign
    total = Action.objects.signers().filter(campaign_id=campaign.pk).count()
    HandIn.objects.filter(pk=hand_in.pk).update(status=HandIn.Status.RUNNING, total=total, done=0, error="")
    context = {
        "campaign": campaign,
        "count": counting.get_count(campaign.pk),
        "date": timezone.now(),
        "targets": list(campaign.targets.all()),
        "letter_paragraphs": campaign.letter_paragraphs(),
    }
    writer = PdfWriter()
    done = 0
    try:
        with translation.override(campaign.language):
            writer.append(io.BytesIO(_render(context | {"cover": True, "pages": []})))
            signers = _signers(campaign)
            while chunk := list(islice(signers, CHUNK_NAMES)):
                # Chunks are rendered apart, so each is told the number its first page carries.
                first_page = len(writer.pages) + 1
                writer.append(io.BytesIO(_render(context | {"cover": False, "pages": _pages(chunk), "first_page": first_page})))
                done += len(chunk)
                HandIn.objects.filter(pk=hand_in.pk).update(done=F("done") + len(chunk))
        path = hand_in_path(hand_in)
        partial = path.with_suffix(".part")
        with partial.open("wb") as out:
            writer.write(out)
        partial.replace(path)
    except Exception as error:
        # The admin shows the failure; no names go to the log.
        logger.exception("Hand-in %s failed", hand_in.pk)
        HandIn.objects.filter(pk=hand_in.pk).update(status=HandIn.Status.FAILED, error=type(error).__name__, finished_at=timezone.now())
        raise
    HandIn.objects.filter(pk=hand_in.pk).update(
        status=HandIn.Status.DONE, done=done, pages=len(writer.pages), finished_at=timezone.now()
    )
    hand_in.refresh_from_db()
    return hand_in


SIGNER_COLUMNS = ["first_name", "last_name", "country", "created_at"]


def stream_signers_csv(campaign: Campaign) -> Iterator[str]:
    """The hand-in's list as CSV, as its targets may receive it: withheld names stay withheld."""
    writer = csv.writer(Echo())
    yield writer.writerow(SIGNER_COLUMNS)
    # Inside the generator: the response streams after the view (and its language) has returned.
    with translation.override(campaign.language):
        for row in signer_rows(campaign):
            yield writer.writerow([csv_safe(value) for value in row])
