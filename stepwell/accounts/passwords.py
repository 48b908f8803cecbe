"""Passwords are set only by their owner: through a reset link sent to the owner's own
email address, or on the password page after logging in. Administrators send the link;
they never see or choose the password. Every link sent and every password set is audited.

Links carry Django's password-reset token (PASSWORD_RESET_TIMEOUT, from
STEPWELL_PASSWORD_RESET_HOURS): they stop working once used, once the password or
email address changes, or when they expire.
"""

from __future__ import annotations

from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from stepwell.core.errors import ApplicationError
from stepwell.privacy.access.accounts import access_staff_account_manage
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from .models import User, UserKind


def password_reset_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    try:
        send_mail(subject, body, None, [to])
    except (OSError, SMTPException) as error:
        raise ApplicationError(
            "The email could not be sent; check the mail settings and try again.",
            field_errors={"email": "Could not be sent."},
        ) from error


def _password_link_email_send(*, user: User, link: str, requested_by: User | None) -> None:
    """Email `link` to the user's own address, then audit that it was sent (by the
    administrator who asked, or with no user when the person asked on the login page)."""
    _send(
        to=user.email,
        subject="Set your Stepwell password",
        template="accounts/email/password_link.txt",
        context={
            "user": user,
            "link": link,
            "by_administrator": requested_by is not None,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
    audit_record(
        user=requested_by,
        action=AuditAction.PRIVILEGE_CHANGE,
        object_type="user",
        object_id=user.pk,
        detail={
            "password": "reset_link_sent",
            "requested_by": "administrator" if requested_by is not None else "user",
        },
    )


def password_forgotten_link_send(*, user: User, link: str) -> None:
    """Someone asked for a link on the login page ("Forgot your password?"): it goes to
    the account's own address only, so whoever asked learns nothing from it."""
    _password_link_email_send(user=user, link=link, requested_by=None)


def password_reset_link_send(*, actor: User, user: User, base_url: str) -> None:
    """An administrator sends a staff member a link to set their own password."""
    if not access_staff_account_manage(actor):
        raise refuse(
            actor=actor,
            action=AuditAction.PRIVILEGE_CHANGE,
            object_type="user",
            object_id=user.pk,
            message="Only administrators send password links.",
        )
    if user.kind != UserKind.STAFF:
        raise ApplicationError(
            "Patients reset their portal password themselves.",
            field_errors={"user": "Not a staff member."},
        )
    if not user.is_active:
        raise ApplicationError(
            "This account is deactivated.", field_errors={"user": "Account deactivated."}
        )
    if not user.email:
        raise ApplicationError(
            "This account has no email address; add one first.",
            field_errors={"email": "Add the staff member's own email address first."},
        )
    _password_link_email_send(
        user=user, link=base_url.rstrip("/") + password_reset_path(user), requested_by=actor
    )


def password_set_record(*, user: User, how: str) -> None:
    """Audit a password the user set themselves: `how` is "reset_by_link" or "changed"."""
    audit_record(
        user=user,
        action=AuditAction.PRIVILEGE_CHANGE,
        object_type="user",
        object_id=user.pk,
        detail={"password": how},
    )


def account_email_change_record(*, actor: User, user: User, old: str, new: str) -> None:
    """An email address decides where password links go: audit its change and tell the
    old address, so a quiet redirection of someone's links does not go unnoticed."""
    if not access_staff_account_manage(actor):
        raise refuse(
            actor=actor, action=AuditAction.PRIVILEGE_CHANGE, object_type="user", object_id=user.pk
        )
    audit_record(
        user=actor,
        action=AuditAction.PRIVILEGE_CHANGE,
        object_type="user",
        object_id=user.pk,
        detail={"email": {"from": old, "to": new}},
    )
    if old:
        _send(
            to=old,
            subject="Your Stepwell email address was changed",
            template="accounts/email/email_changed.txt",
            context={"user": user, "new": new},
        )
