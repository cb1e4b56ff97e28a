from django.urls import path

from outcry.actions import views

app_name = "actions"
urlpatterns = [
    path("c/<slug:slug>/confirm/resend/", views.resend, name="resend"),
    path("c/<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
]
