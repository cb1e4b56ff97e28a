from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "outcry.delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outcry.actions.signals import actions_counted, confirmation_requested, confirmations_expired
        from outcry.delivery.services import cancel_confirmation_requests, owe_confirmation_request, owe_letters

        actions_counted.connect(owe_letters, dispatch_uid="delivery.owe_letters")
        confirmation_requested.connect(owe_confirmation_request, dispatch_uid="delivery.owe_confirmation_request")
        confirmations_expired.connect(cancel_confirmation_requests, dispatch_uid="delivery.cancel_confirmation_requests")
