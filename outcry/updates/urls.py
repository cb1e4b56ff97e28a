from django.urls import path

from outcry.updates import views

app_name = "updates"
urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
