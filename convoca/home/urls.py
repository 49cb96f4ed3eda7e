"""The front page. ``convoca/urls.py`` mounts these patterns in the ``core``
namespace, beside core's own, so the page keeps its name ``core:home`` (used by
the templates, ``LOGIN_REDIRECT_URL`` and the tests)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
