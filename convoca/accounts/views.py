from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from convoca.core.errors import ServiceError
from convoca.core.web import apply_service_error, paginate, perform, require, submit

from . import services
from .forms import AcceptInvitationForm, EmailPasswordResetForm, InvitationForm, LoginForm, ProfileForm, TokenForm
from .models import ApiToken, Invitation

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout_view = auth_views.LogoutView.as_view()

password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=EmailPasswordResetForm,
    email_template_name="accounts/email/password_reset_body.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 404  # a forged, used or expired link
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()


# --- invitations ---------------------------------------------------------------------


@login_required
def invitations(request):
    require(request, "accounts.invite")
    form = InvitationForm(request.POST if request.method == "POST" else None)

    def write():
        data = form.cleaned_data
        return services.invite(
            request.user, data["email"], data["role"], committee=data["committee"], language=data["language"]
        )

    saved = submit(
        request, form, write,
        lambda invitation: _("Invitation sent to %(email)s. The link works once and expires on %(date)s.") % {
            "email": invitation.email,
            "date": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
        },
        redirect_to="accounts:invitations",
    )
    if saved:
        return saved
    page = paginate(request, Invitation.objects.select_related("committee", "created_by__person"), 50)
    return render(
        request, "accounts/invitations.html", {"form": form, "page": page, "days": settings.INVITATION_DAYS}
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    require(request, "accounts.invite")
    return perform(
        request, lambda: services.revoke_invitation(request.user, pk),
        lambda invitation: _("Invitation to %(email)s withdrawn.") % {"email": invitation.email},
        "accounts:invitations",
    )


@never_cache
@sensitive_post_parameters("password", "password_confirm")
def invitation_accept(request, token):
    try:
        invitation = services.usable_invitation(token)
    except ServiceError as exc:
        return render(request, "accounts/invitation_invalid.html", {"error": exc}, status=exc.status)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(token, data["display_name"], data["password"])
        except ServiceError as exc:
            if exc.status != 400:  # claimed by a concurrent submit meanwhile
                return render(request, "accounts/invitation_invalid.html", {"error": exc}, status=exc.status)
            apply_service_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome! Your account is ready. Check below who can see each of your details.")
            )
            return redirect("accounts:me")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


# --- my account ---------------------------------------------------------------------


@login_required
def me(request):
    require(request, "accounts.edit_own_profile")
    person = getattr(request.user, "person", None)
    initial = ProfileForm.initial_for(person)
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = submit(
        request, form, lambda: services.update_own_profile(request.user, **form.service_fields()),
        _("Your details have been saved."), redirect_to="accounts:me",
    )
    if saved:
        return saved
    organisations = list(person.organisations.all()) if person else []
    committees = list(person.committees.all()) if person else []
    return render(
        request,
        "accounts/me.html",
        {"form": form, "person": person, "organisations": organisations, "committees": committees},
    )


# --- API tokens ----------------------------------------------------------------------


@never_cache
@login_required
def tokens(request):
    """List and create tokens. A new token is rendered in the POST response
    itself (never stored, never redirected through the session)."""
    require(request, "accounts.manage_tokens")
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        try:
            created, raw = services.create_api_token(request.user, form.cleaned_data["name"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "created": created, "raw": raw})


@login_required
@require_POST
def token_revoke(request, pk):
    require(request, "accounts.manage_tokens")
    return perform(  # someone else's token is NotFound, the 404 page: its existence is not revealed
        request, lambda: services.revoke_api_token(request.user, pk),
        lambda token: _("Token “%(name)s” revoked. Scripts using it are refused from now on.") % {"name": token.name},
        "accounts:tokens",
    )
