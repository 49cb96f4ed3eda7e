"""Core's own pages. ``convoca/urls.py`` mounts them together with the front
page (the ``home`` app), which shares this namespace as ``core:home``."""

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
