from django.urls import path, re_path

from outcry.api import views

app_name = "api"
urlpatterns = [
    path("schema", views.schema, name="schema"),
    path("campaigns/<slug:slug>/stats", views.campaign_stats, name="stats"),
    path("campaigns/<slug:slug>/integrity", views.campaign_integrity, name="integrity"),
    path("petitions", views.petitions, name="petitions"),
    path("petitions/<slug:slug>/signatures", views.signatures, name="signatures"),
    # Anything else under /api/v1/ answers in JSON too, never with the HTML error page.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),
]
