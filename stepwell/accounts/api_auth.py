"""API authentication: personal access tokens, or a browser session that passed MFA."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from stepwell.accounts.middleware import mfa_required_for
from stepwell.accounts.tokens import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class VerifiedSession(SessionAuth):
    """The logged-in browser session (CSRF checked), with its second factor done."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if mfa_required_for(user) and not user.is_verified():
            return None
        return user


api_auth = [BearerToken(), VerifiedSession()]
