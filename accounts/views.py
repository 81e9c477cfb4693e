import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.exceptions import WrongPassword
from accounts.forms import DeleteAccountForm, ProfileForm
from audit.events import record
from audit.models import AuditEvent


def admin_login(request):
    """Django admin has no sign-in form of its own: one door for everyone, allauth's.

    That door has the rate limits (per client IP and per account, in the shared cache), the
    audit events and the staff second factor; admin's own form would have none of them.
    """
    admin_home = reverse("admin:index")
    next_url = request.GET.get("next") or admin_home
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = admin_home
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied  # signed in, but admin is not for this account
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profil Anda telah disimpan."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "page": "profile"})


@never_cache
@login_required
def personal_data(request):
    """GET: what the download holds; POST: the JSON file itself (a POST, so no link can trigger it)."""
    if request.method != "POST":
        return render(request, "accounts/personal_data.html", {"page": "profile"})
    data = services.export_personal_data(user=request.user)
    record(AuditEvent.Action.DATA_EXPORT, actor=request.user, request=request, data={"dataset": "data_pribadi", "format": "json"})
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="data-pribadi-{stamp}.json"'
    return response


@never_cache
@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erased = services.delete_account(actor=request.user, password=form.cleaned_data["password"], request=request)
        except WrongPassword:
            form.add_error("password", _("Kata sandi salah. Akun Anda tidak dihapus."))
        else:
            # Log out the emptied account, not the stale copy in memory: the logout's audit entry
            # must not carry the erased name back into the database.
            request.user = erased
            logout(request)
            messages.success(request, _("Akun Anda telah dihapus. Data pribadi Anda sudah tidak tersimpan di portal ini."))
            return redirect("home")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/delete_account.html", {"form": form, "page": "profile"}, status=status)
