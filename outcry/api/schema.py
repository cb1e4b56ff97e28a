"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/schema. Keep it in step with urls.py."""

from __future__ import annotations

from django.conf import settings

from outcry.actions.models import Action
from outcry.api.forms import MAX_PER_PAGE

STRING = {"type": "string"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
OUTCOME = {
    "type": ["object", "null"], "required": ["kind", "text", "date"],
    "properties": {"kind": {"enum": ["handed_in", "response", "victory", "closed"]}, "text": STRING,
                   "date": {"type": ["string", "null"], "format": "date"}},
}
UPDATES = {"type": "array", "items": {
    "type": "object", "required": ["title", "date", "url"],
    "properties": {"title": STRING, "date": {"type": "string", "format": "date"}, "url": STRING},
}}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": STRING}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}}
PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
]


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _collection(key: str, item: str) -> dict:
    link = {"type": "object", "properties": {"href": STRING}}
    return {
        "type": "object",
        "required": ["total_records", "total_pages", "page", "per_page", "_links", "_embedded"],
        "properties": {
            "total_records": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "_links": {"type": "object", "properties": {"self": link, "next": link, "prev": link}},
            "_embedded": {"type": "object", "properties": {key: {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}}},
        },
    }


def openapi_schema() -> dict:
    unauthorised = _json(ERROR, "No token, or an unknown or revoked one.")
    invalid = _json({**ERROR, "properties": {"error": STRING, "fields": {"type": "object"}}}, "A query parameter is not valid.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Outcry API",
            "version": "1",
            "description": (
                "Public read endpoints for any live or closed campaign, and, with an organisation's API token "
                "(made in the admin under API tokens), that organisation's petitions and signatures in a shape "
                "close to OSDI's. Send the token as `Authorization: Bearer <token>`."
            ),
        },
        "servers": [{"url": f"{settings.SITE_URL}/api/v1"}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Stats": {
                    "type": "object",
                    "required": ["slug", "count", "goal", "messages_sent", "updated_at"],
                    "properties": {
                        "slug": STRING, "count": {"type": "integer"}, "goal": {"type": "integer"},
                        "messages_sent": {"type": "integer"}, "updated_at": {"type": "string", "format": "date-time"},
                        "outcome": OUTCOME, "updates": UPDATES,
                    },
                },
                "Integrity": {
                    "type": "object",
                    "required": ["slug", "taken", "counted", "not_counted", "duplicate", "invalid", "unconfirmed", "expired", "held", "ledger"],
                    "properties": {
                        "slug": STRING,
                        **{key: {"type": "integer"} for key in ("taken", "counted", "not_counted", "duplicate", "invalid", "unconfirmed", "expired", "held")},
                        "ledger": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"day": {"type": "string", "format": "date"}, "target": STRING,
                                           **{k: {"type": "integer"} for k in ("sent", "delivered", "bounced", "deferred", "failed", "pending", "cancelled")}},
                        }},
                    },
                },
                "Petition": {
                    "type": "object",
                    "required": ["identifiers", "slug", "title", "status", "browser_url", "total_signatures"],
                    "properties": {
                        "identifiers": {"type": "array", "items": STRING}, "origin_system": STRING, "slug": STRING,
                        "title": STRING, "summary": STRING, "status": {"enum": ["draft", "live", "closed"]},
                        "browser_url": STRING, "created_date": {"type": "string", "format": "date-time"},
                        "published_date": NULLABLE_DATETIME, "closed_date": NULLABLE_DATETIME,
                        "total_signatures": {"type": "integer"}, "goal": {"type": "integer"},
                        "outcome": OUTCOME, "updates": UPDATES,
                    },
                },
                "Signature": {
                    "type": "object",
                    "required": ["identifiers", "created_date", "status", "person"],
                    "properties": {
                        "identifiers": {"type": "array", "items": STRING}, "origin_system": STRING,
                        "created_date": {"type": "string", "format": "date-time"},
                        "modified_date": {"type": "string", "format": "date-time"},
                        "status": {"enum": Action.Status.values}, "petition": STRING, "comments": STRING,
                        "email_opt_in": {"type": "boolean"}, "consent_wording": STRING,
                        "referrer_data": {"type": "object", "properties": {k: STRING for k in ("source", "referrer", "utm_source", "utm_medium", "utm_campaign")}},
                        "person": {
                            "type": "object",
                            "properties": {
                                "given_name": STRING, "family_name": STRING,
                                "email_addresses": {"type": "array", "items": {"type": "object", "properties": {"address": STRING, "primary": {"type": "boolean"}}}},
                                "postal_addresses": {"type": "array", "items": {"type": "object", "properties": {"postal_code": STRING, "country": STRING, "primary": {"type": "boolean"}}}},
                                "languages_spoken": {"type": "array", "items": STRING},
                            },
                        },
                    },
                },
            },
        },
        "paths": {
            "/campaigns/{slug}/stats": {"get": {
                "operationId": "stats", "summary": "A campaign's live count (cached a couple of seconds).",
                "parameters": [SLUG],
                "responses": {"200": _json({"$ref": "#/components/schemas/Stats"}, "The count."), "404": {"description": "No such public campaign."}},
            }},
            "/campaigns/{slug}/integrity": {"get": {
                "operationId": "integrity", "summary": "Counts of actions counted and not counted, and the letters ledger.",
                "parameters": [SLUG],
                "responses": {"200": _json({"$ref": "#/components/schemas/Integrity"}, "The report."), "404": _json(ERROR, "No such public campaign.")},
            }},
            "/petitions": {"get": {
                "operationId": "petitions", "summary": "Your organisation's campaigns.",
                "security": [{"token": []}], "parameters": PAGE_PARAMS,
                "responses": {"200": _json(_collection("osdi:petitions", "Petition"), "A page of petitions."), "400": invalid, "401": unauthorised},
            }},
            "/petitions/{slug}/signatures": {"get": {
                "operationId": "signatures", "summary": "Actions on one of your campaigns, oldest first.",
                "security": [{"token": []}],
                "parameters": [
                    SLUG, *PAGE_PARAMS,
                    {"name": "created_after", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "Only actions at or after this time."},
                    {"name": "created_before", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "Only actions before this time."},
                    {"name": "modified_since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "Only actions changed (counted, invalidated, confirmed, erased, unsubscribed) at or after this time, in the order they changed; every status unless status is given. For a CRM's sync."},
                    {"name": "status", "in": "query", "schema": {"enum": Action.Status.values}, "description": "Default: counted (without modified_since)."},
                ],
                "responses": {
                    "200": _json(_collection("osdi:signatures", "Signature"), "A page of signatures, each with its person."),
                    "400": invalid, "401": unauthorised, "404": _json(ERROR, "Not one of your organisation's campaigns."),
                },
            }},
            "/schema": {"get": {"operationId": "schema", "summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1 JSON."}}}},
        },
    }
