from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from accounts import second_factor

# The sign-in, account and second-factor pages themselves (allauth's names) stay open, so a
# staff member can enrol, prove the factor, change the password or sign out.
_OPEN_URL_NAME_PREFIXES = ("account_", "mfa_")
_OPEN_URL_NAMES = {"switch_language", "healthz"}


class StaffSecondFactor:
    """With STAFF_MFA_REQUIRED, a staff account without a proven second factor is sent to get one.

    Covers every page at once (admin, the workspace, moderation, the audit log and staff actions
    on the site), so no new staff page can forget it. An account without an authenticator app is
    sent to enrol; one with an app whose session has not shown a code is asked for a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or second_factor.is_proven(request)
            or not second_factor.required_for(user)
            or self._is_open(request.path_info)
        ):
            return self.get_response(request)
        next_path = request.get_full_path() if request.method == "GET" else "/"
        if not second_factor.has_authenticator(user):
            messages.info(
                request,
                _("Akun petugas wajib memakai verifikasi dua langkah. Pasang aplikasi autentikator di ponsel Anda untuk melanjutkan."),
                fail_silently=True,
            )
            request.session[second_factor.NEXT_SESSION_KEY] = next_path
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_path})}")

    @staticmethod
    def _is_open(path: str) -> bool:
        try:
            name = resolve(path).url_name or ""
        except Resolver404:
            return False
        return name in _OPEN_URL_NAMES or name.startswith(_OPEN_URL_NAME_PREFIXES)
