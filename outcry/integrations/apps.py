from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "outcry.integrations"
    verbose_name = _("API and webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from outcry.actions.signals import actions_counted, actions_uncounted
        from outcry.integrations.models import Webhook
        from outcry.integrations.services import forget_webhook_organisations, owe_counted_webhooks, owe_uncounted_webhooks

        actions_counted.connect(owe_counted_webhooks, dispatch_uid="integrations.owe_counted_webhooks")
        actions_uncounted.connect(owe_uncounted_webhooks, dispatch_uid="integrations.owe_uncounted_webhooks")
        post_save.connect(forget_webhook_organisations, sender=Webhook, dispatch_uid="integrations.webhook_saved")
        post_delete.connect(forget_webhook_organisations, sender=Webhook, dispatch_uid="integrations.webhook_deleted")
