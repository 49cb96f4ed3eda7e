from django.urls import path

from . import views

app_name = "plenary"
urlpatterns = [
    path("", views.programme, name="programme"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("live/", views.live, name="live"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/ask/", views.ask, name="ask"),
    path("items/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("console/", views.console, name="console"),
    path("console/current/", views.set_current, name="current"),
    path("console/message/", views.set_message, name="message"),
    path("console/remote/", views.admit_remote, name="remote"),
    path("items/<int:pk>/floor/", views.floor, name="floor"),
    path("items/<int:pk>/list/", views.list_state, name="list"),
    path("items/<int:pk>/rules/", views.balance_rules, name="rules"),
    path("items/<int:pk>/add/", views.add_speaker, name="add"),
    path("speakers/<int:pk>/move/", views.move_speaker, name="move"),
    path("speakers/<int:pk>/remove/", views.remove_speaker, name="remove"),
    path("agenda/", views.manage, name="manage"),
    path("agenda/publish/", views.publish, name="publish"),
    path("agenda/sessions/new/", views.session_create, name="session_create"),
    path("agenda/sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("agenda/items/new/", views.item_create, name="item_create"),
    path("agenda/items/<int:pk>/", views.item_edit, name="item_edit"),
    path("screens/", views.projectors, name="projectors"),
    path("screens/<int:pk>/", views.projector_view, name="projector"),
    path("screens/<int:pk>/renew/", views.projector_renew, name="projector_renew"),
    path("screens/<int:pk>/delete/", views.projector_delete, name="projector_delete"),
    path("screen/<str:token>/", views.screen, name="screen"),
]
