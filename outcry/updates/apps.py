from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "outcry.updates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Updates"

    def ready(self) -> None:
        from outcry.updates import tasks  # noqa: F401  (registers the fan-out task)
