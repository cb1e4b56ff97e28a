from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("outcry.api.urls")),
    path("studio/", include("outcry.studio.urls")),
    path("", include("outcry.campaigns.urls")),
    path("", include("outcry.actions.urls")),
    path("", include("outcry.reports.urls")),
    path("", include("outcry.safety.urls")),
    path("", include("outcry.updates.urls")),
    path("", include("outcry.ops.urls")),
    # Uploaded images. Behind a reverse proxy at scale, let it serve MEDIA_ROOT directly.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

# An API client always gets JSON, a 500 included (outcry/api/views.py).
handler500 = "outcry.api.views.server_error"
