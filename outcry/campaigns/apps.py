from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "outcry.campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.campaigns import signals  # noqa: F401  (connects the receivers)
