from django.urls import path

from . import views

app_name = "gatherings"
urlpatterns = [
    path("", views.gathering_list, name="list"),
    path("<slug:slug>/", views.gathering_detail, name="detail"),
]
