from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "outcry.studio"
    verbose_name = _("Studio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.delivery.emails import register_builder
        from outcry.delivery.models import Message
        from outcry.studio.services import build_invite

        register_builder(Message.Kind.INVITE, build_invite)
