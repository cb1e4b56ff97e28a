from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    # Before the field, the last change known of an action was its erasure, confirmation or creation.
    Action = apps.get_model("actions", "Action")
    Action.objects.update(modified_at=Coalesce("erased_at", "confirmed_at", "created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0004_issue19_targets_replies_names"),
        ("campaigns", "0005_issue19_targets_replies_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="modified_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["campaign", "modified_at"], name="actions_act_campaig_9dbea8_idx"),
        ),
    ]
