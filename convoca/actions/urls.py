from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.campaign_create, name="campaign_create"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:pk>/approve/", views.approve, name="approve"),
    path("moderation/<int:pk>/reject/", views.reject, name="reject"),
    path("rsvp/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/", views.campaign, name="campaign"),
    path("<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/counts/", views.counts_part, name="counts"),
    path("<slug:slug>/counts.json", views.counts_json, name="counts_json"),
    path("<slug:slug>/map.json", views.map_json, name="map"),
    path("<slug:slug>/calendar/", views.calendar_page, name="calendar"),
    path("<slug:slug>/calendar.ics", views.campaign_ics, name="campaign_ics"),
    path("<slug:slug>/widget/", views.widget, name="widget"),
    path("<slug:slug>/events", views.campaign_events, name="events"),
    path("<slug:slug>/new/", views.action_create, name="action_create"),
    path("<slug:slug>/<int:pk>/", views.action, name="action"),
    path("<slug:slug>/<int:pk>/thanks/", views.rsvp_sent, name="rsvp_sent"),
    path("<slug:slug>/<int:pk>/calendar.ics", views.action_ics, name="action_ics"),
    path("<slug:slug>/<int:pk>/rsvps/", views.action_rsvps, name="rsvps"),
    path("<slug:slug>/<int:pk>/rsvps.csv", views.action_rsvps_csv, name="rsvps_csv"),
    path("<slug:slug>/<int:pk>/report/", views.action_report, name="report"),
    path("<slug:slug>/<int:pk>/cancel/", views.action_cancel, name="cancel"),
]
