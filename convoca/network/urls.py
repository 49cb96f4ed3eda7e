from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("people/", views.person_list, name="people"),
    path("committees/", views.committee_list, name="committees"),
]
