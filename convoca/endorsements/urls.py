from django.urls import path

from . import views

app_name = "endorsements"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("counts/", views.counts_part, name="counts"),
    path("events", views.events_stream, name="events"),
    path("sign/", views.endorse, name="endorse"),
    path("sign/thanks/", views.thanks, name="thanks"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/decide/", views.decide, name="decide"),
    path("review/export.csv", views.export, name="export"),
]
