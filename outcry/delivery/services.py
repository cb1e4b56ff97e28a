from __future__ import annotations

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message


def queue_letters(action: Action) -> list[Message]:
    """One pending letter per target with an address. Call inside the action's transaction."""
    campaign: Campaign = action.campaign
    if not campaign.sends_letters:
        return []
    return Message.objects.bulk_create(
        Message(campaign=campaign, action=action, target=target, kind=Message.Kind.LETTER)
        for target in campaign.targets.all()
        if target.email
    )


def after_action_committed(action_id: int) -> None:
    """Runs after the action's transaction commits: hand the sending to a worker."""
    from outcry.delivery.tasks import send_due_messages

    send_due_messages.enqueue()
