"""The ceiling: the least a Django view can do through the same server, middleware and database."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from outcry.lib.client import see_other

ROW_TABLE = "bench_row"


@require_GET
def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def write(request: HttpRequest) -> HttpResponse:
    # Same middleware (CSRF token checked), one INSERT, the same 303 the action form answers.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ROW_TABLE} (body, created_at) VALUES (%s, now())", [request.POST.get("body", "")])
    return see_other("/bench/ok")
