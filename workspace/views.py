"""The officials' and moderators' workspace (/kerja/): what waits for each work unit, one step from each action."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import rights
from workspace import queries


@login_required
@require_GET
def index(request):
    if not rights.can_use_workspace(request.user):
        raise PermissionDenied
    now = timezone.now()
    since = queries.record_visit(request.user, now)
    context = queries.workspace(request.user, now=now, since=since)
    context["page"] = "workspace"
    return render(request, "workspace/index.html", context)
