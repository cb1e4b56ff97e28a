"""Issue 16: one identity per mailbox. Existing hashes were of the lowered address only; recompute them
with outcry/lib/mailbox.py and merge the mailboxes that counted more than once."""

from django.db import migrations


def merge(apps, schema_editor):
    from outcry.actions.services import merge_identities

    Action = apps.get_model("actions", "Action")
    if Action.objects.exists():
        merge_identities(Action, notify=False)


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0005_action_modified_at"),
    ]

    # Hashes cannot be un-normalised; the merged duplicates stay duplicates (merge_identities is idempotent).
    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
