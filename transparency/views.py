"""Open data, statistics and the privacy page: public, read-only pages."""

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.events import record
from audit.models import AuditEvent
from transparency import exports
from transparency.forms import ExportFilterForm
from transparency.statistics import statistics

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _filter_query(request, dataset) -> str:
    """The current filters as a query string, keeping only those the data set understands."""
    query = request.GET.copy()
    for name in list(query.keys()):
        if name not in dataset.filters:
            del query[name]
    return query.urlencode()


@require_GET
def data_index(request, *, form=None, status=200):
    form = form or ExportFilterForm(request.GET or None)
    has_errors = form.is_bound and not form.is_valid()
    datasets = [
        {"dataset": dataset, "query": "" if has_errors else _filter_query(request, dataset)}
        for dataset in exports.DATASETS.values()
    ]
    context = {
        "page": "data",
        "form": form,
        "datasets": datasets,
        "filtered": form.is_bound and not has_errors,
        "data_url": request.build_absolute_uri(reverse("transparency:data_index")),
    }
    return render(request, "transparency/data_index.html", context, status=status)


@require_GET
def data_export(request, dataset: str, fmt: str):
    """Stream one data set as CSV or JSON; filters it cannot read re-render /data/ with a 400."""
    chosen = exports.DATASETS.get(dataset)
    if chosen is None or fmt not in FORMATS:
        raise Http404
    params = request.GET.copy()
    for name in list(params.keys()):
        if name not in chosen.filters:
            del params[name]
    form = ExportFilterForm(params)
    if not form.is_valid():
        return data_index(request, form=form, status=400)
    since, until = form.time_range()
    filters = {**form.cleaned_data, "since": since, "until": until}
    record(
        AuditEvent.Action.DATA_EXPORT,
        actor=request.user,
        request=request,
        data={"dataset": chosen.slug, "format": fmt, "filters": form.as_record()},
    )
    base = request.build_absolute_uri("/").rstrip("/")
    rows = chosen.rows(filters, lambda path: base + path)
    chunks = exports.csv_lines(chosen, rows) if fmt == "csv" else exports.json_chunks(rows)
    response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{chosen.slug}-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def statistics_page(request):
    return render(request, "transparency/statistics.html", {"page": "statistics", **statistics()})


@require_GET
def privacy(request):
    return render(request, "transparency/privacy.html", {"page": "privacy", "contact": settings.PRIVACY_CONTACT_EMAIL})
