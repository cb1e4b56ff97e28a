from django.urls import path

from outcry.studio import views

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("o/<slug:organisation>/", views.organisation, name="organisation"),
    path("c/<int:pk>/", views.campaign, name="campaign"),
]
