from django.urls import path

from . import list_views, views

app_name = "network"
urlpatterns = [
    path("organisations/", list_views.organisation_list, name="organisations"),
    path("organisations/export/", list_views.organisation_export, name="organisations_export"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/join/", views.join, name="join"),
    path("organisations/join/requests/", views.join_requests, name="join_requests"),
    path("organisations/join/requests/<int:pk>/decide/", views.join_request_decide, name="join_request_decide"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("people/", list_views.person_list, name="people"),
    path("people/export/", list_views.person_export, name="people_export"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/data/", views.person_data, name="person_data"),
    path("people/<int:pk>/data/download/", views.person_data_download, name="person_data_download"),
    path("people/<int:pk>/data/erase/", views.person_erase, name="person_erase"),
    path("people/me/data/", views.my_data, name="my_data"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<str:code>/", views.committee_detail, name="committee"),
    path("committees/<str:code>/members/", views.committee_member_add, name="committee_member_add"),
    path(
        "committees/<str:code>/members/<int:person_pk>/remove/",
        views.committee_member_remove,
        name="committee_member_remove",
    ),
]
