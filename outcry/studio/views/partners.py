"""The organisation's partnerships (coalitions), for its owners: agree with another organisation by its
address name, see which partnerships both sides agreed to, and end our side. The same service as the
admin's (outcry.campaigns.partners); nothing here decides who may link to whom."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outcry.campaigns import partners
from outcry.campaigns.models import Organisation, Partnership
from outcry.lib.client import see_other
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.views import _page


class PartnerForm(forms.Form):
    slug = forms.SlugField(label=gettext_lazy("The other organisation's address name"), help_text=gettext_lazy(
        "As in its address on this site, e.g. care4calais-demo. Its owners must agree too before anything changes."
    ))


def _list(request: HttpRequest, access: Access, form: PartnerForm, status: int = 200) -> HttpResponse:
    organisation = access.organisation
    ours = Partnership.objects.filter(organisation=organisation).select_related("partner", "agreed_by", "ended_by")
    asking = Partnership.objects.filter(partner=organisation, ended_at__isnull=True).exclude(
        organisation_id__in=ours.filter(ended_at__isnull=True).values("partner_id")
    ).select_related("organisation")
    rows = [(side, partners.status(side)) for side in ours]
    return _page(request, "partners", access, status=status, form=form, rows=rows, asking=asking)


@studio_view(Role.OWNER)
def partnerships(request: HttpRequest, access: Access) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = Organisation.objects.filter(slug=form.cleaned_data["slug"]).exclude(pk=access.organisation.pk).first()
        if partner is None:
            form.add_error("slug", _("No other organisation has this address name."))
            return _list(request, access, form, status=400)
        partners.agree(organisation=access.organisation, partner=partner, user=request.user)
        messages.success(request, _("Your side is agreed. The partnership holds once %(partner)s agrees too.") % {"partner": partner.name})
        return see_other(request.path)
    return _list(request, access, form, status=400 if form.errors else 200)


@studio_view(Role.OWNER)
@require_POST
def end_partnership(request: HttpRequest, access: Access, partner: int) -> HttpResponse:
    other = get_object_or_404(Organisation, pk=partner)
    if partners.end(organisation=access.organisation, partner=other, user=request.user):
        messages.success(request, _("Ended. Links to %(partner)s's campaigns no longer fill anything in.") % {"partner": other.name})
    return see_other(reverse("studio:partners", kwargs={"organisation": access.organisation.slug}))
