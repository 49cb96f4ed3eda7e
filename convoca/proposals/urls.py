"""The proposals of one gathering and its declaration, under /gatherings/<slug>/proposals/."""

from django.urls import path

from . import declaration_views as declaration
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
    path("declaration/", declaration.declaration, name="declaration"),
    path("declaration/history/", declaration.declaration_history, name="declaration_history"),
    path("declaration/compose/", declaration.declaration_compose, name="declaration_compose"),
    path("declaration/sections/", declaration.declaration_add, name="declaration_add"),
    path("declaration/sections/<int:pk>/", declaration.declaration_section, name="declaration_section"),
    path("declaration/sections/<int:pk>/move/", declaration.declaration_move, name="declaration_move"),
    path("declaration/sections/<int:pk>/remove/", declaration.declaration_remove, name="declaration_remove"),
    path("declaration/publish/", declaration.declaration_publish, name="declaration_publish"),
]
