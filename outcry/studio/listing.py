"""Every studio list is paginated and filtered through the query string, so a filtered page is a link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode

PER_PAGE = 25


def chosen(request: HttpRequest, name: str, allowed: Sequence[str]) -> str:
    """The filter's value from the query string, or "" when it is not one of the allowed values."""
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def paginate(request: HttpRequest, rows: QuerySet[Any], filters: dict[str, str], per_page: int = PER_PAGE) -> tuple[Page, str]:
    """The requested page of `rows`, and the query string (ending in "&") that keeps the filters on the
    pages' links (studio/_pages.html)."""
    shown = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in filters.items() if value})
    return shown, f"{query}&" if query else ""
