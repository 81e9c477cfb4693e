import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.exceptions import WrongPassword
from accounts.forms import DeleteAccountForm, ProfileForm
from audit.events import record
from audit.models import AuditEvent


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
