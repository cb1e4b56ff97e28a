from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "outcry.reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.actions.signals import actions_counted, actions_uncounted
        from outcry.reports.services import recount_after_review

        actions_counted.connect(recount_after_review, dispatch_uid="reports.recount_after_counted")
        actions_uncounted.connect(recount_after_review, dispatch_uid="reports.recount_after_uncounted")
