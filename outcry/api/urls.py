from django.urls import path

from outcry.api import views

app_name = "api"
urlpatterns = [
    path("campaigns/<slug:slug>/stats", views.campaign_stats, name="stats"),
]
