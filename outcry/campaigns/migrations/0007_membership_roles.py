"""Organisation staff become members with a role, in the same table: the plain many-to-many's rows
keep their ids and gain a role column. The first member of each organisation becomes its owner."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def first_member_owns(apps, schema_editor) -> None:
    Membership = apps.get_model("campaigns", "Membership")
    first_ids = (
        Membership.objects.values("organisation").annotate(first=models.Min("id")).values_list("first", flat=True)
    )
    Membership.objects.filter(id__in=list(first_ids)).update(role="owner")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_web_addresses_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="campaigns.organisation")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "member",
                        "verbose_name_plural": "members",
                        "db_table": "campaigns_organisation_staff",
                        "unique_together": {("organisation", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="organisation",
                    name="staff",
                    field=models.ManyToManyField(blank=True, related_name="organisations", through="campaigns.Membership", to=settings.AUTH_USER_MODEL, verbose_name="staff"),
                ),
            ],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=[("viewer", "Viewer (sees campaigns, figures and exports)"), ("editor", "Editor (also writes, previews and publishes)"), ("owner", "Owner (also manages the team and the organisation)")], default="editor", max_length=10, verbose_name="role"),
        ),
        migrations.RunPython(first_member_owns, migrations.RunPython.noop),
    ]
