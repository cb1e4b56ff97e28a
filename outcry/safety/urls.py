from django.urls import path

from outcry.safety import views

app_name = "safety"
urlpatterns = [
    path("altcha/challenge", views.challenge, name="challenge"),
    path("privacy/my-data/", views.data_request, name="data_request"),
    path("privacy/my-data/<str:token>/", views.data, name="data"),
    path("privacy/my-data/<str:token>/data.json", views.data_json, name="data_json"),
]
