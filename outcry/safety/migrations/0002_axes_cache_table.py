from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_table(apps, schema_editor) -> None:
    # The table django-axes counts failed logins in when REDIS_URL is unset (settings.CACHES["axes"]).
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, "outcry_axes_cache", False)


def drop_table(apps, schema_editor) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS outcry_axes_cache")


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(create_table, drop_table)]
