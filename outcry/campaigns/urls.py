from django.urls import path

from outcry.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<slug:slug>/", views.page, name="page"),
    path("c/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("c/<slug:slug>/share.png", views.share_png, name="share_image"),
]
