"""The OpenAPI schema describes the API, and schemathesis finds no server error against it."""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from outcry.campaigns.models import Campaign, Organisation, Target
from outcry.integrations.models import ApiToken

TOKEN = "outcry_schemathesis-token-for-tests-only"

schema = schemathesis.openapi.from_wsgi("/api/v1/schema", get_wsgi_application())


@pytest.fixture
def api_data(db):
    # Like Django's test client: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    organisation = Organisation.objects.create(name="Rights Now", slug="rights-now")
    campaign = Campaign.objects.create(organisation=organisation, slug="free-them", title="Free them", summary="x", status="live", goal=10)
    Target.objects.create(campaign=campaign, name="A Minister", email="m@example.org")
    ApiToken.objects.create(organisation=organisation, name="CRM", prefix=TOKEN[:12], token_hash=hashlib.sha256(TOKEN.encode()).hexdigest())
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_schema_is_served(client):
    data = client.get("/api/v1/schema").json()
    assert data["openapi"].startswith("3.1")
    assert {"/campaigns/{slug}/stats", "/petitions", "/petitions/{slug}/signatures"} <= set(data["paths"])


@pytest.mark.slow
@schema.parametrize()
# derandomize: the same examples on every run, so CI cannot pass or fail by luck.
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_without_a_server_error(case, api_data):
    if case.path_parameters and "slug" in case.path_parameters and case.operation.label.endswith("signatures") and case.path_parameters["slug"][:1] == "f":
        case.path_parameters["slug"] = "free-them"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


# Issue 13.9: a date-time valid by RFC 3339 that falls outside what the database can hold once moved to UTC
# (0001-01-01 at +00:01 is year 0 in UTC) answered 500 with OverflowError. The generated run rarely finds
# these, so each date-time parameter gets them explicitly, with the same checks.
EDGE_DATETIMES = [
    "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
    "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00", "1e400", "\x00", "2026-01-01T00:00:00\x00",
]
DATETIME_PARAMETERS = ["created_after", "created_before", "modified_since"]


@pytest.mark.parametrize("name", DATETIME_PARAMETERS)
@pytest.mark.parametrize("value", EDGE_DATETIMES)
def test_extreme_date_times_answer_a_json_400_never_a_server_error(api_data, name, value):
    operation = schema["/petitions/{slug}/signatures"]["GET"]
    case = operation.Case(path_parameters={"slug": "free-them"}, query={name: value})
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance])
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert "error" in response.json()  # content_type_conformance checked it is JSON
