# The ScheduledJob model moved here from the delivery app; its table stays where it is.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('delivery', '0002_scheduled_job'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScheduledJob',
                    fields=[
                        ('name', models.CharField(max_length=200, primary_key=True, serialize=False)),
                        ('next_run_at', models.DateTimeField()),
                        ('last_run_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={'db_table': 'delivery_scheduledjob'},
                ),
            ],
            database_operations=[],
        ),
    ]
