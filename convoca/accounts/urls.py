from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("confirm/", views.confirm_code, name="confirm_code"),
    path("two-step/", views.two_factor, name="two_factor"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-step/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("sessions/<int:pk>/end/", views.session_revoke, name="session_revoke"),
    path("sessions/end-others/", views.sessions_revoke_others, name="sessions_revoke_others"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
