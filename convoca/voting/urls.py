from django.urls import path

from . import views

app_name = "voting"
urlpatterns = [
    path("poll/<int:pk>/", views.poll_detail, name="detail"),
    path("poll/<int:pk>/vote/", views.poll_cast, name="cast"),
    path("poll/<int:pk>/open/", views.poll_open, name="open"),
    path("poll/<int:pk>/close/", views.poll_close, name="close"),
    path("poll/<int:pk>/publish/", views.poll_publish, name="publish"),
    path("poll/<int:pk>/annul/", views.poll_annul, name="annul"),
    path("poll/<int:pk>/teller/", views.poll_teller, name="teller"),
    path("poll/<int:pk>/count/", views.poll_count, name="count"),
    path("poll/<int:pk>/results/", views.poll_results, name="results"),
    path("poll/<int:pk>/receipts/", views.poll_receipts, name="receipts"),
    path("poll/<int:pk>/turnout/", views.poll_turnout, name="turnout"),
    path("poll/<int:pk>/audit/", views.poll_audit, name="audit"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("<slug:slug>/", views.poll_list, name="list"),
    path("<slug:slug>/new/", views.poll_create, name="create"),
    path("<slug:slug>/new/pick/<str:name>/", views.poll_picker, name="picker"),
    path("<slug:slug>/proxies/", views.proxies, name="proxies"),
]
