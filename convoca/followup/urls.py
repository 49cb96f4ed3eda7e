from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.accountability, name="accountability"),
    path("resolutions/<int:pk>/", views.resolution, name="resolution"),
    path("resolutions/<int:pk>/assign/", views.assign, name="assign"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/members/", views.add_member, name="add_member"),
    path("groups/<int:pk>/meetings/", views.add_meeting, name="add_meeting"),
]
