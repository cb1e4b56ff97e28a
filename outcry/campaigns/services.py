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
