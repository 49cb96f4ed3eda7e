"""The proposals of one gathering, under /gatherings/<slug>/proposals/."""

from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("export/", views.export_proposals, name="export"),
    path("settings/", views.proposal_settings, name="settings"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/new/", views.theme_form, name="theme_create"),
    path("themes/<int:pk>/", views.theme_form, name="theme_edit"),
    path("merge/", views.merge, name="merge"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/history/", views.proposal_history, name="history"),
    path("<int:pk>/do/<slug:action>/", views.proposal_transition, name="transition"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/poll/", views.proposal_poll, name="poll"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/alternatives/", views.alternatives, name="alternatives"),
    path("<int:pk>/amendments/<int:number>/<slug:action>/", views.amendment_action, name="amendment_action"),
    path("<int:pk>/conflicts/<int:conflict_pk>/", views.resolve, name="resolve"),
]
