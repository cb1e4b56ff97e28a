from __future__ import annotations

from django.utils import timezone

from outcry.campaigns.models import Campaign


def stamp_status_dates(campaign: Campaign) -> None:
    """Record when a campaign first went live and when it closed."""
    if campaign.status == Campaign.Status.LIVE and not campaign.published_at:
        campaign.published_at = timezone.now()
    if campaign.status == Campaign.Status.CLOSED and not campaign.closed_at:
        campaign.closed_at = timezone.now()
    if campaign.status != Campaign.Status.CLOSED:
        campaign.closed_at = None


def save_hero_renditions(campaign: Campaign) -> None:
    """Make the hero image's smaller copies after an upload and remember them on the campaign."""
    from outcry.campaigns.images import make_renditions

    renditions = make_renditions(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(hero_renditions=renditions)
    campaign.hero_renditions = renditions
