from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    default = True
    name = "outcry.safety"
    verbose_name = _("Safety and privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.delivery.emails import register_builder
        from outcry.delivery.models import Message
        from outcry.safety import campaign_audit, checks  # noqa: F401 - registers the deploy checks and the receivers
        from outcry.safety.privacy import build_data_link
        from outcry.safety.reconcile import build_count_repaired
        from outcry.safety.velocity import build_wave_alert

        register_builder(Message.Kind.DATA_LINK, build_data_link)
        register_builder(Message.Kind.COUNT_REPAIRED, build_count_repaired)
        register_builder(Message.Kind.WAVE, build_wave_alert)
        register_builder(Message.Kind.OPENING_BLOCKED, campaign_audit.build_opening_blocked)


class OutcryAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "outcry.safety.admin_site.OutcryAdminSite"
