"""The staff second factor: who needs one, and whether this session has proven it.

allauth.mfa does the cryptography (TOTP codes, recovery codes, their rate limit) and asks for the
code at sign-in. This module keeps the portal's own rule: with `STAFF_MFA_REQUIRED`, a staff
account (see `rights.is_staff_member`) opens no page until this very session has shown the
second factor, by signing in with it or by enrolling it.
"""

from django.conf import settings

from accounts import rights

# The id of the user whose second factor this session has seen; a login as someone else never inherits it.
SESSION_KEY = "accounts.second_factor_user"
# Where a staff member sent to enrol was going; offered again once the recovery codes are shown.
NEXT_SESSION_KEY = "accounts.second_factor_next"


def required_for(user) -> bool:
    return settings.STAFF_MFA_REQUIRED and rights.is_staff_member(user)


def has_authenticator(user) -> bool:
    """Whether the account has an authenticator app (TOTP); recovery codes alone do not count."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mark_proven(request, user) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user.pk


def is_proven(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and request.session.get(SESSION_KEY) == user.pk
