from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "outcry.integrations"
    verbose_name = _("API and webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.actions.signals import action_counted
        from outcry.integrations.services import queue_webhooks

        action_counted.connect(queue_webhooks, dispatch_uid="integrations.queue_webhooks")
