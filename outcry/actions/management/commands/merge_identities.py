from __future__ import annotations

from django.core.management.base import BaseCommand

from outcry.actions.services import merge_identities


class Command(BaseCommand):
    help = (
        "Recompute the email hashes of the addresses still held with today's normalisation "
        "(outcry/lib/mailbox.py) and merge the mailboxes that acted more than once. Run after changing its tables."
    )

    def handle(self, *args: object, **options: object) -> None:
        merged = merge_identities()
        self.stdout.write(f"{merged} action(s) merged into an earlier one of the same mailbox.")
