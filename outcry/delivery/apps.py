from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "outcry.delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.actions.signals import actions_counted, confirmation_requested
        from outcry.delivery.services import owe_confirmation_request, owe_letters

        actions_counted.connect(owe_letters, dispatch_uid="delivery.owe_letters")
        confirmation_requested.connect(owe_confirmation_request, dispatch_uid="delivery.owe_confirmation_request")
