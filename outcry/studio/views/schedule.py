"""When a campaign opens and closes by itself (campaigns.services.open_and_close_due acts on it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outcry.campaigns.checklist import publish_checklist
from outcry.campaigns.services import save_campaign
from outcry.lib.client import see_other
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.forms import ScheduleForm
from outcry.studio.views import overview


@studio_view(Role.EDITOR)
@require_POST
def schedule(request: HttpRequest, access: Access) -> HttpResponse:
    form = ScheduleForm(request.POST, instance=access.campaign)
    if not form.is_valid():
        return overview(request, access, publish_checklist(access.campaign), status=400, schedule_form=form)
    save_campaign(form.instance, form.changed_data)
    messages.success(request, _("Schedule saved."))
    return see_other(reverse("studio:campaign", kwargs={"pk": access.campaign.pk}))
