from django.urls import path

from . import views

app_name = "live"
urlpatterns = [
    path("gatherings/<int:pk>/events", views.gathering_events, name="gathering_events"),
]
