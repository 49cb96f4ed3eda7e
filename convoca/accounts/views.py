import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from convoca.core.errors import ServiceError
from convoca.core.limits import rate_limit
from convoca.core.web import apply_service_error, paginate, perform, require, submit

from . import agents, queries, second_factor, services
from .forms import (
    AcceptInvitationForm,
    CodeForm,
    EmailPasswordResetForm,
    InvitationForm,
    LoginForm,
    ProfileForm,
    SetupForm,
    TokenForm,
)
from .models import ApiToken, Invitation

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- log in: password, then the second factor when the account has one ------------------------


def _next_param(request):
    candidate = request.POST.get("next") or request.GET.get("next")
    return second_factor.safe_next(request, candidate, settings.LOGIN_REDIRECT_URL) if candidate else ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_param(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if second_factor.has_device(user):
            second_factor.begin_pending_login(request, user, next_url)
            return redirect("accounts:login_code")
        login(request, user, backend=MODEL_BACKEND)
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _recovery_code_note(request, user, device):
    if isinstance(device, StaticDevice):
        left = services.recovery_codes_left(user)
        messages.warning(request, ngettext(
            "You used a recovery code: %(count)s is left. Make new ones on the two-step login page.",
            "You used a recovery code: %(count)s are left. Make new ones on the two-step login page if you need to.",
            left,
        ) % {"count": left})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request):
    """The second step of logging in: a code from the authenticator app, or a recovery code."""
    pending = second_factor.pending_login(request)
    if pending is None:
        messages.info(request, _("Log in again: the page asking for your code had expired."))
        return redirect("accounts:login")
    user, next_url = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_second_factor(user, form.cleaned_data["code"])
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            second_factor.end_pending_login(request)
            login(request, user, backend=MODEL_BACKEND)
            second_factor.mark_verified(request, device)
            _recovery_code_note(request, user, device)
            return redirect(next_url)
    return render(request, "accounts/login_code.html", {"form": form, "action": "login"})


@sensitive_post_parameters("code")
@never_cache
@login_required
def confirm_code(request):
    """Ask the second factor again (before a sensitive action, or a session that never proved it)."""
    next_url = second_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"), "accounts:me")
    if not second_factor.has_device(request.user):
        return redirect(second_factor.confirm_url(request, next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_second_factor(request.user, form.cleaned_data["code"])
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            second_factor.mark_verified(request, device)
            _recovery_code_note(request, request.user, device)
            return redirect(next_url)
    return render(request, "accounts/login_code.html", {"form": form, "action": "confirm", "next": next_url})


# --- two-step login: set up, recovery codes, remove ---------------------------------------------


def _qr_svg(user, key):
    url = TOTPDevice(user=user, key=key).config_url
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code to scan"))
    return mark_safe(svg)  # segno's own markup: paths drawn from the URL, no user text


def _grouped(key_hex):
    """The key as an authenticator app asks for it when typed: base32, in groups of 4."""
    text = base64.b32encode(TOTPDevice(key=key_hex).bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@sensitive_post_parameters("code", "setup")
@never_cache
@login_required
def two_factor(request):
    """The account's second factor: set it up (QR code and the key as text,
    then a code to confirm), or see it, make new recovery codes, replace it,
    remove it. Replacing one asks the current one first."""
    require(request, "accounts.manage_second_factor")
    user = request.user
    has_device = second_factor.has_device(user)
    next_url = second_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"), "accounts:me")
    replacing = has_device and (request.method == "POST" or request.GET.get("new") == "1")
    if replacing and second_factor.must_confirm(request):
        return redirect(second_factor.confirm_url(request, f"{reverse('accounts:two_factor')}?new=1"))
    if has_device and not replacing:
        return render(request, "accounts/two_factor.html", {
            "setting_up": False, "has_device": True, "required": second_factor.required_for(user),
            "codes_left": services.recovery_codes_left(user),
            "device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        })
    form = SetupForm(request.POST if request.method == "POST" else None)
    posted = request.POST.get("setup", "")
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.enable_totp(user, posted, form.cleaned_data["code"])
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            second_factor.mark_verified(request, device)
            return render(request, "accounts/recovery_codes.html", {
                "codes": codes, "first_time": not has_device, "next": next_url,
            })
    try:  # after a wrong code the same key again, so the app already set up keeps working
        key, token = services.setup_key(user, posted), posted
    except ServiceError:
        key, token = services.new_setup(user)
    return render(request, "accounts/two_factor.html", {
        "setting_up": True, "has_device": has_device, "required": second_factor.required_for(user), "form": form,
        "setup": token,
        "qr": _qr_svg(user, key), "secret": _grouped(key), "next": next_url,
    })


@never_cache
@login_required
@require_POST
@second_factor.recent_second_factor
def recovery_codes(request):
    """New recovery codes, shown once in this answer (never stored as they are, never redirected)."""
    require(request, "accounts.manage_second_factor")
    try:
        codes = services.new_recovery_codes(request.user)
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("accounts:two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False, "next": ""})


@login_required
@require_POST
@second_factor.recent_second_factor
def two_factor_remove(request):
    require(request, "accounts.manage_second_factor")
    return perform(
        request, lambda: services.remove_second_factor(request.user),
        _("Two-step login is off. Logging in asks for your password only."), "accounts:two_factor",
    )


# --- sessions ------------------------------------------------------------------------------------


@login_required
@require_POST
def session_revoke(request, pk):
    require(request, "accounts.manage_sessions")
    return perform(  # another account's session is NotFound: the 404 page
        request, lambda: services.revoke_login_session(request.user, pk, request.session.get(queries.LOGIN_ID)),
        lambda row: _("The session on %(device)s has ended. Whoever used it has to log in again.") % {
            "device": agents.describe(row.browser, row.system)},
        "accounts:me",
    )


@login_required
@require_POST
def sessions_revoke_others(request):
    require(request, "accounts.manage_sessions")
    return perform(
        request, lambda: services.revoke_other_login_sessions(request.user, request.session.get(queries.LOGIN_ID)),
        lambda count: ngettext(
            "%(count)s other session has ended.", "%(count)s other sessions have ended.", count
        ) % {"count": count},
        "accounts:me",
    )


# --- password reset -------------------------------------------------------------------------------

password_reset = rate_limit(services.PASSWORD_RESETS_PER_ADDRESS)(auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=EmailPasswordResetForm,
    email_template_name="accounts/email/password_reset_body.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
))
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


logout_view = auth_views.LogoutView.as_view()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.end_all_login_sessions(self.user)  # a new password: every earlier login ends
        return response

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 404  # a forged, used or expired link
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()


# --- invitations ---------------------------------------------------------------------


@never_cache
@login_required
@second_factor.recent_second_factor
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
@rate_limit(services.INVITATION_ACCEPTS_PER_ADDRESS)
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
    sessions = queries.login_sessions(request.user, request.session.get(queries.LOGIN_ID))
    for row in sessions:
        row.device = agents.describe(row.browser, row.system)
    return render(request, "accounts/me.html", {
        "form": form, "person": person, "organisations": organisations, "committees": committees,
        "sessions": sessions, "two_factor_on": second_factor.has_device(request.user),
    })


# --- API tokens ----------------------------------------------------------------------


@never_cache
@login_required
@second_factor.recent_second_factor
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


def set_language(request):
    """Django's language switch, remembering a logged-in person's choice for their emails."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated and response.status_code in (204, 302):
        services.remember_language(request.user, request.POST.get("language", ""))
    return response
