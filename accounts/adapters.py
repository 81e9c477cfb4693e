import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.models import Group

from accounts import rights


def _signed_in_moments_ago(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    return bool(records) and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=rights.ROLE_WARGA)
            user.groups.add(group)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in minutes ago is as fresh as a reauthentication.

        A staff member sent to enrol the second factor straight after signing in is not asked
        for the password a second time; later on, sensitive steps ask again as allauth does.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not _signed_in_moments_ago(self.request or context.request)

    def get_client_ip(self, request):
        from audit.request_info import client_ip

        return client_ip(request)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Staff cannot switch off the second factor the portal requires of them."""
        from accounts import second_factor

        return not second_factor.required_for(authenticator.user)
