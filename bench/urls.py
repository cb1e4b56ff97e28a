from django.urls import path

from bench import views
from outcry.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/ok", views.ok),
    path("bench/write", views.write),
    *product_urlpatterns,
]
