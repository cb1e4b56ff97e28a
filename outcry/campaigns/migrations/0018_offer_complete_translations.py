"""Each existing campaign offers what its page offered before campaigns chose: its default language and
every translation complete today (title, story and, unless a petition, the letter), so nothing visible
changes. New campaigns offer only their default language until their team adds more."""

from django.conf import settings
from django.db import migrations


def offer_complete_translations(apps, schema_editor) -> None:
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignTranslation = apps.get_model("campaigns", "CampaignTranslation")
    order = [code for code, _name in settings.LANGUAGES]
    for campaign in Campaign.objects.all().only("pk", "language", "action_kind").iterator():
        needed = ["title", "story"] + (["letter_body"] if campaign.action_kind != "petition" else [])
        done = {
            t.language for t in CampaignTranslation.objects.filter(campaign_id=campaign.pk)
            if all(getattr(t, name).strip() for name in needed)
        }
        offered = [code for code in order if code == campaign.language or code in done]
        Campaign.objects.filter(pk=campaign.pk).update(offered_languages=offered)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0017_offered_languages_and_schedule")]

    operations = [migrations.RunPython(offer_complete_translations, migrations.RunPython.noop)]
