from django.urls import path

from outcry.reports import views

app_name = "reports"
urlpatterns = [
    path("c/<slug:slug>/embed/", views.embed, name="embed"),
    path("c/<slug:slug>/integrity/", views.integrity, name="integrity"),
]
