from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "outcry.campaigns"
    default_auto_field = "django.db.models.BigAutoField"
