from django.urls import path

from outcry.studio import views
from outcry.studio.views import waves

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("o/<slug:organisation>/", views.organisation, name="organisation"),
    path("o/<slug:organisation>/new/", views.new_campaign, name="new_campaign"),
    path("o/<slug:organisation>/team/", views.team, name="team"),
    path("o/<slug:organisation>/settings/", views.organisation_settings, name="settings"),
    path("o/<slug:organisation>/team/<int:membership>/", views.member, name="member"),
    path("o/<slug:organisation>/leave/", views.leave, name="leave"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept"),
    path("c/<int:pk>/", views.campaign, name="campaign"),
    path("c/<int:pk>/edit/", views.edit, name="edit"),
    path("c/<int:pk>/render/", views.render_story, name="render"),
    path("c/<int:pk>/publish/", views.go_live, name="publish"),
    path("c/<int:pk>/close/", views.close, name="close"),
    path("c/<int:pk>/duplicate/", views.duplicate, name="duplicate"),
    path("c/<int:pk>/targets/", views.targets, name="targets"),
    path("c/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("c/<int:pk>/hand-in/", views.build_hand_in, name="build_hand_in"),
    path("c/<int:pk>/hand-in/<uuid:hand_in>.pdf", views.download_hand_in, name="hand_in"),
    path("c/<int:pk>/signers.csv", views.signers_csv, name="signers_csv"),
    path("c/<int:pk>/actions.csv", views.actions_csv, name="actions_csv"),
    path("c/<int:pk>/held/", views.review_held, name="review_held"),
    path("c/<int:pk>/controls/", views.controls, name="controls"),
    path("c/<int:pk>/waves/", waves.waves, name="waves"),
    path("c/<int:pk>/waves/review/", waves.review, name="wave_review"),
    path("c/<int:pk>/waves/invalidate/", waves.invalidate, name="wave_invalidate"),
    path("c/<int:pk>/waves/block/", waves.block, name="wave_block"),
    path("c/<int:pk>/waves/<int:wave>/undo/", waves.undo, name="wave_undo"),
    path("c/<int:pk>/updates/", views.updates, name="updates"),
    path("c/<int:pk>/updates/<int:update>/", views.update, name="update"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/thanks/", views.preview_thanks, name="preview_thanks"),
    path("c/<int:pk>/translations/<str:language>/", views.translate, name="translate"),
]
