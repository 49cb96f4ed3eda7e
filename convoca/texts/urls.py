from django.urls import path

from . import views

app_name = "texts"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:target>/<int:pk>/<str:language>/", views.edit, name="edit"),
]
