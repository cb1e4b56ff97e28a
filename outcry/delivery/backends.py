from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class OutboxBackend(BaseEmailBackend):
    """Keeps each email in the outbox table, exactly as it would have been sent, for the admin to show."""

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        from outcry.delivery.models import OutboxEmail

        OutboxEmail.objects.bulk_create(
            OutboxEmail(
                subject=str(message.subject)[:500],
                from_email=str(message.from_email)[:500],
                to=", ".join(message.recipients()),
                raw=message.message().as_string(),
            )
            for message in email_messages
        )
        return len(email_messages)
