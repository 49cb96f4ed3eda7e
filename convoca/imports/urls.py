from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<uuid:batch_id>/", views.preview, name="preview"),
    path("<uuid:batch_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:batch_id>/discard/", views.discard, name="discard"),
    path("<uuid:batch_id>/sheet/", views.sheet, name="sheet"),
    path("<uuid:batch_id>/skipped/", views.skipped, name="skipped"),
    path("<uuid:batch_id>/done/", views.done, name="done"),
]
