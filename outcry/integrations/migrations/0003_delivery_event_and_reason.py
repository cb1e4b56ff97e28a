# Webhooks tell CRMs when an action stops counting too: each delivery carries its event (and, for
# action.uncounted, the reason), and an action may be owed to one webhook more than once.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0002_leases_and_circuit'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='webhookdelivery',
            name='one_delivery_per_webhook_action',
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='event',
            field=models.CharField(choices=[('action.counted', 'The action counts'), ('action.uncounted', 'The action no longer counts')], default='action.counted', max_length=20, verbose_name='event'),
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='reason',
            field=models.CharField(blank=True, choices=[('invalidated', 'Invalidated'), ('rejected', 'Rejected in review'), ('erased', 'Personal data erased')], max_length=12, verbose_name='reason'),
        ),
    ]
