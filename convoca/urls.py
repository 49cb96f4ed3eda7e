from django.urls import include, path

from convoca.accounts.views import set_language
from convoca.api.urls import api
from convoca.core import urls as core_urls
from convoca.home import urls as home_urls

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("convoca.accounts.urls")),
    path("gatherings/", include("convoca.gatherings.urls")),
    path("gatherings/<slug:slug>/proposals/", include("convoca.proposals.urls")),
    path("gatherings/<slug:slug>/plenary/", include("convoca.plenary.urls")),
    path("gatherings/<slug:slug>/endorsements/", include("convoca.endorsements.urls")),
    path("gatherings/<slug:slug>/followup/", include("convoca.followup.urls")),
    path("imports/", include("convoca.imports.urls")),
    path("votes/", include("convoca.voting.urls")),
    path("translations/", include("convoca.texts.urls")),
    path("audit/", include("convoca.audit.urls")),
    path("live/", include("convoca.live.urls")),
    path("days/", include("convoca.actions.urls")),
    path("api/v1/", api.urls),
    # Last, the includes without a prefix of their own: every address that reaches them is tried against each
    # of their patterns (with a list of what was tried for the 404 page), so the busy pages under a prefix are
    # found first. The front page (convoca.home) shares the ``core`` namespace with core's own pages, so its
    # name stays ``core:home``.
    path("", include("convoca.network.urls")),
    path("", include((home_urls.urlpatterns + core_urls.urlpatterns, core_urls.app_name))),
]

handler400 = "convoca.core.views.bad_request"
handler403 = "convoca.core.views.permission_denied"
handler404 = "convoca.core.views.not_found"
handler500 = "convoca.core.views.server_error"
