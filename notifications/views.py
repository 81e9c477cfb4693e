from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.unsubscribe import read_token
from participation.placement import at

PER_PAGE = 30


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).with_subject_hidden()
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("halaman"))
    return render(request, "notifications/list.html", {"page": "notifications", "notifications_page": page})


@require_POST
@login_required
def mark_read(request):
    services.mark_all_read(user=request.user)
    messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    current = dict(Preference.objects.filter(user=request.user).values_list("kind", "delivery"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Pengaturan notifikasi tersimpan."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"page": "notifications", "form": form})


def _followable(content_type_id, object_id):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in services.FOLLOWABLE:
        raise Http404
    return get_object_or_404(content_type.model_class(), pk=object_id)


@require_POST
@login_required
def toggle_follow(request, content_type_id, object_id):
    target = _followable(content_type_id, object_id)
    if request.POST.get("aksi") == "berhenti":
        services.unfollow(actor=request.user, target=target)
        messages.success(request, _("Anda tidak lagi mengikuti ini."), extra_tags=at("ikuti"))
    else:
        services.follow(actor=request.user, target=target)  # 404 for what the user cannot see
        messages.success(request, _("Anda akan diberi tahu setiap ada perubahan."), extra_tags=at("ikuti"))
    return redirect(f"{target.get_absolute_url()}#ikuti")


# The link in an email is opened by mail scanners too; a GET only shows the question, a POST acts.
# Mail clients' one-click unsubscribe (RFC 8058) posts without our CSRF token: the signed token is the proof.
@csrf_exempt
def unsubscribe(request, token):
    parsed = read_token(token)
    if parsed is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user_id, kind = parsed
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or kind not in Kind.values:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.set_preferences(user=user, choices={kind: Delivery.PORTAL})
        return render(request, "notifications/unsubscribe.html", {"done": True, "kind_label": Kind(kind).label})
    return render(request, "notifications/unsubscribe.html", {"kind_label": Kind(kind).label, "token": token})
