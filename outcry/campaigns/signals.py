from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from outcry.campaigns.models import (
    Campaign,
    CampaignTranslation,
    CampaignUpdate,
    LearnMoreLink,
    Organisation,
    Target,
    UpdateTranslation,
)
from outcry.lib.shared_cache import bump_campaign_version

# Sent by campaigns.services inside the transaction that changes the campaign, so what listens (the audit
# log, the staff's email in the outbox) commits or rolls back with it.
# status_changed(campaign, previous, actor, actor_label, reason): a campaign went live or closed.
status_changed = Signal()
# opening_blocked(campaign, problems, opens_at): a scheduled opening found blocking problems; it stays a draft.
opening_blocked = Signal()


@receiver([post_save, post_delete], sender=Campaign)
def campaign_changed(sender: type, instance: Campaign, **kwargs: object) -> None:
    bump_campaign_version([instance.slug])


@receiver([post_save, post_delete], sender=Target)
@receiver([post_save, post_delete], sender=LearnMoreLink)
@receiver([post_save, post_delete], sender=CampaignTranslation)
def campaign_part_changed(sender: type, instance: Target | LearnMoreLink | CampaignTranslation, **kwargs: object) -> None:
    bump_campaign_version(Campaign.objects.filter(pk=instance.campaign_id).values_list("slug", flat=True))


@receiver([post_save, post_delete], sender=CampaignUpdate)
@receiver([post_save, post_delete], sender=UpdateTranslation)
def update_changed(sender: type, instance: CampaignUpdate | UpdateTranslation, **kwargs: object) -> None:
    campaign_id = instance.campaign_id if isinstance(instance, CampaignUpdate) else instance.update.campaign_id
    bump_campaign_version(Campaign.objects.filter(pk=campaign_id).values_list("slug", flat=True))


@receiver(post_save, sender=Organisation)
def organisation_changed(sender: type, instance: Organisation, **kwargs: object) -> None:
    bump_campaign_version(instance.campaigns.values_list("slug", flat=True))
