from django.urls import path

from outcry.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<slug:slug>/", views.page, name="page"),
    path("c/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("c/<slug:slug>/share.png", views.share_png, name="share_image"),
    path("c/<slug:slug>/updates/<int:pk>/", views.update, name="update"),
    path("c/<slug:slug>/next/", views.follow_up, name="follow_up"),
    path("c/<slug:slug>/r/<str:token>/", views.returning, name="return"),
    path("o/<slug:slug>/brand-<str:version>.css", views.brand_css, name="brand_css"),
]
