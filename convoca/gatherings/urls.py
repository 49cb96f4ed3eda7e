from django.urls import path

from . import list_views, message_views, views

app_name = "gatherings"
urlpatterns = [
    path("", views.gathering_list, name="list"),
    path("new/", views.gathering_create, name="create"),
    path("mandates/", views.mandate_list, name="mandates"),
    path("<slug:slug>/", views.gathering_detail, name="detail"),
    path("<slug:slug>/edit/", views.gathering_edit, name="edit"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/checkin/", views.checkin, name="checkin"),
    path("<slug:slug>/message/", message_views.write_to_participants, name="message"),
    path("<slug:slug>/registrations/", list_views.registration_list, name="registrations"),
    path("<slug:slug>/registrations/bulk/", list_views.registration_bulk, name="registrations_bulk"),
    path("<slug:slug>/registrations/export/", list_views.registration_export, name="registrations_export"),
    path("<slug:slug>/registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("<slug:slug>/registrations/<int:pk>/accredit/", views.accredit, name="accredit"),
    path("<slug:slug>/registrations/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<slug:slug>/registrations/<int:pk>/mandate/", views.decide_mandate, name="mandate"),
    path("<slug:slug>/registrations/<int:pk>/badge/", views.badge, name="badge"),
    path("<slug:slug>/registrations/<int:pk>/badge/revoke/", views.revoke_badge, name="revoke_badge"),
    path("<slug:slug>/registrations/<int:pk>/badge/reissue/", views.reissue_badge, name="reissue_badge"),
]
