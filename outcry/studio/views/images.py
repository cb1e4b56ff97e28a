"""Images inside a campaign's story: upload one (with its alt text) and get the Markdown to paste, list
them, delete one. Editors only; another organisation's image is not found, whatever its address.

Without JavaScript the page is a plain form that answers with the snippet; the Markdown toolbar
(studio/js/markdown-toolbar.js) posts the same form with Accept: application/json and inserts the
snippet at the cursor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outcry.campaigns.models import StoryImage
from outcry.campaigns.story_images import add_story_image, delete_story_image
from outcry.lib.client import see_other
from outcry.studio.access import Access, Role, memberships, studio_view
from outcry.studio.forms import StoryImageForm


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@studio_view(Role.EDITOR)
def story_images(request: HttpRequest, access: Access) -> HttpResponse:
    form = StoryImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        image = add_story_image(campaign=access.campaign, file=form.cleaned_data["image"], alt=form.cleaned_data["alt"], user=request.user)
        if _wants_json(request):
            return JsonResponse({"markdown": image.markdown, "url": image.url, "alt": image.alt}, status=201)
        return see_other(reverse("studio:story_images", kwargs={"pk": access.campaign.pk}) + f"?added={image.key}")
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()}}, status=400)
    context = {
        "access": access, "campaign": access.campaign, "mine": memberships(request.user), "form": form,
        "images": access.campaign.story_images.all(), "added": request.GET.get("added", ""),
    }
    return render(request, "studio/story_images.html", context, status=400 if form.errors else 200)


@studio_view(Role.EDITOR)
@require_POST
def delete_image(request: HttpRequest, access: Access, key: str) -> HttpResponse:
    delete_story_image(get_object_or_404(StoryImage, key=key, campaign=access.campaign))
    messages.success(request, _("The image is deleted. A story that still names it shows its description instead."))
    return see_other(reverse("studio:story_images", kwargs={"pk": access.campaign.pk}))
