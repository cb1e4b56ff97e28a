from __future__ import annotations

import email.policy

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class OutboxBackend(BaseEmailBackend):
    """Keeps each email in the outbox table, exactly as it would have been sent, for the admin to show.

    Emails built by outcry.delivery carry their message and campaign, so each organisation sees its own.
    """

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        from outcry.delivery.models import OutboxEmail

        OutboxEmail.objects.bulk_create(
            OutboxEmail(
                campaign_id=getattr(message, "outcry_campaign_id", None),
                message_id=getattr(message, "outcry_message_id", None),
                subject=str(message.subject)[:500],
                # The From the recipient sees; from_email is the envelope sender (a letter's bounce address).
                from_email=str(message.extra_headers.get("From", message.from_email))[:500],
                to=", ".join(str(address) for address in message.recipients()),
                # The SMTP policy: exactly the bytes (CRLF, encoded words) an SMTP server would receive.
                raw=message.message(policy=email.policy.SMTP).as_bytes().decode("ascii", "replace"),
            )
            for message in email_messages
        )
        return len(email_messages)
