# The ScheduledJob model moved to the jobs app (outcry/jobs/migrations/0001_initial.py adopts the
# table); only the state changes here, the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0007_update_emails'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ScheduledJob')],
            database_operations=[],
        ),
    ]
