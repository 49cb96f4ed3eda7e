from django.apps import AppConfig


def _logged_in(sender, request=None, user=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        from . import services  # the app registry is ready by the time anyone logs in

        services.record_login_session(request, user)


def _logged_out(sender, request=None, user=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        from . import services

        services.end_login_session(request)


class AccountsConfig(AppConfig):
    name = "convoca.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        # A signal rather than a call in our login view: every login must be on
        # record, including Django's own (the test client's, a password-reset
        # view's), or its session could not be listed and ended by its owner.
        user_logged_in.connect(_logged_in, dispatch_uid="convoca.accounts.record_login_session")
        user_logged_out.connect(_logged_out, dispatch_uid="convoca.accounts.end_login_session")
