"""Login with password and TOTP (also for clinic setup), enrolment, logout, API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from stepwell.core.forms import form_call, message_call
from stepwell.core.paging import without_page
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record
from stepwell.privacy.refusals import refuse

from . import enrolment, mfa, tokens
from .lockout import lockout_response
from .middleware import mfa_required_for
from .models import UserKind


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.CharField(max_length=8, label="6-digit code")


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(max_length=32, label="Enrolment code")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'lab interface'.")
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Valid for (days)")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would read a bare word as a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        locked = bool(getattr(request, "axes_locked_out", False))
        if user is None:
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                outcome=AuditOutcome.FAILED,
                object_type="user",
                detail={"username": form.cleaned_data["username"][:150], "locked_out": locked},
            )
            if locked:
                return lockout_response(
                    request, credentials={"username": form.cleaned_data["username"]}
                )
            form.add_error(None, "The username or password is not right.")
        else:
            login(request, user)
            audit_record(
                user=user,
                action=AuditAction.LOGIN,
                object_type="user",
                object_id=user.pk,
                detail={"step": "password"},
            )
            if mfa_required_for(user):
                request.session["mfa_next"] = _next_url(request)
                return redirect("accounts:mfa")
            return redirect(_next_url(request))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def admin_login_redirect(request):
    """Clinic setup's own login page is replaced by the one audited login (password, TOTP,
    lockout): nothing posted here is checked."""
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(_next_url(request) if request.GET.get("next") else "admin:index")
        raise refuse(actor=request.user, object_type="clinic_setup", object_id=request.path)
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_view(request):
    user = request.user
    if not mfa_required_for(user) or user.is_verified():
        return redirect("core:home")
    if mfa.totp_device_confirmed(user) is None:
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = form_call(form, mfa.totp_login_verify, user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(request.session.pop("mfa_next", "/"))
    return render(request, "accounts/mfa.html", {"form": form})


ENROLMENT_SESSION_KEY = "mfa_enrolment_code_id"


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup_view(request):
    """Enrol an authenticator app. Someone not yet verified with a current device first
    enters the one-time enrolment code their administrator gave them; only then is the
    app's secret shown."""
    user = request.user
    if user.kind != UserKind.STAFF:
        return redirect("core:home")
    if mfa.totp_device_confirmed(user) is not None and not user.is_verified():
        return redirect("accounts:mfa")
    needs_code = not user.is_verified()
    code_id = request.session.get(ENROLMENT_SESSION_KEY) if needs_code else None
    if needs_code and (code_id is None or not _enrolment_code_still_active(user, code_id)):
        return _enrolment_code_step(request, user)
    device = mfa.totp_device_pending(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = form_call(
            form,
            mfa.totp_enrol_confirm,
            user=user,
            code=form.cleaned_data["code"],
            enrolment_code_id=code_id,
        )
        if confirmed is not None:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, confirmed)
            messages.success(request, "Your authenticator app is set up.")
            return redirect(request.session.pop("mfa_next", "/"))
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": mfa.totp_qr_svg(device), "config_url": device.config_url},
    )


def _enrolment_code_still_active(user, code_id) -> bool:
    active = enrolment.enrolment_code_active(user)
    return active is not None and active.pk == code_id


def _enrolment_code_step(request, user):
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form_call(
            form,
            enrolment.enrolment_code_check,
            user=user,
            code=form.cleaned_data["enrolment_code"],
        )
        if code is not None:
            request.session[ENROLMENT_SESSION_KEY] = code.pk
            return redirect("accounts:mfa_setup")
    return render(request, "accounts/mfa_enrolment_code.html", {"form": form})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(
            user=request.user,
            action=AuditAction.LOGOUT,
            object_type="user",
            object_id=request.user.pk,
        )
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def tokens_view(request):
    user = request.user
    own_tokens = tokens.tokens_of(user=user, page_number=request.GET.get("page"))
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = form_call(
            form,
            tokens.token_create,
            user=user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        if issued is not None:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": own_tokens,
            "page": own_tokens,
            "base_query": without_page(request.GET),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    revoked = message_call(request, tokens.token_revoke, user=request.user, token_id=token_id)
    if revoked is not None:
        messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")
