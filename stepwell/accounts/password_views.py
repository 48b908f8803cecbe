"""Setting a password: the owner's own change, a reset link by email, a portal invitation.

Django's password views and tokens do the work; these subclasses add the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from stepwell.core.errors import ApplicationError
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_record

from .models import User, UserKind
from .passwords import password_forgotten_link_send, password_set_record
from .portal_invites import portal_invite_token_generator


class AuditedPasswordResetForm(PasswordResetForm):
    """Django's "forgot password" form; each link goes out through our one email path,
    which audits it. Unknown addresses get the same answer and no email."""

    def save(self, *args, request=None, **kwargs):
        self._request = request
        return super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse("accounts:password_reset_confirm", args=[context["uid"], context["token"]])
        password_forgotten_link_send(
            user=context["user"], link=self._request.build_absolute_uri(path)
        )


class PasswordResetRequestView(auth_views.PasswordResetView):
    form_class = AuditedPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError:
            form.add_error(None, "The email could not be sent just now. Try again later.")
            return self.form_invalid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_set_record(user=form.user, how="reset_by_link")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """A logged-in user changes their own password (the current one is asked for)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_set_record(user=form.user, how="changed")
        messages.success(self.request, "Your password is changed.")
        return response


@require_http_methods(["GET", "POST"])
def portal_activate_view(request, uidb64: str, token: str):
    """A patient sets their portal password from an invitation link."""
    try:
        user = User.objects.get(
            pk=int(urlsafe_base64_decode(uidb64).decode()), kind=UserKind.PATIENT
        )
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not portal_invite_token_generator.check_token(user, token):
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.DENIED,
            object_type="portal_invite",
        )
        return render(request, "accounts/portal_activate.html", {"invalid": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_record(
            user=user,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            detail={"portal": "password_set"},
        )
        messages.success(request, f"Your password is set. Log in as {user.username}.")
        return redirect("accounts:login")
    return render(
        request, "accounts/portal_activate.html", {"form": form, "username": user.username}
    )
