"""Public statistics, computed in the database with a fixed number of queries whatever the data size.

Counts read the public querysets. Two timing figures are medians per work unit:
- moderation time: submission to the moderator's decision (publication, or rejection), over every
  moderated proposal: the figure describes the moderators' work, not the proposals, so it counts
  those that were rejected too (no content of a non-public proposal is shown, only the duration);
- answer time: publication to the unit's first response (its first official answer or the acceptance
  into a program, whichever came first: `first_answered_at`), over public answered proposals.
PostgreSQL computes medians with `percentile_cont`; SQLite (the demo database) picks the middle
rows with window functions, so neither database sends more than two rows per work unit back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import fmean

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation, Response
from participation.models import Proposal, Region
from programs.models import Program

RECENT_CONSULTATIONS = 10
LABEL_MAX_CHARS = 40
# px. The chart is drawn in CSS pixels, not a scaled viewBox, so its text never shrinks on a phone;
# each row puts its label above its bar, so a long name never runs into the bar on a narrow screen.
ROW_HEIGHT = 44


# --- charts --------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: float
    display: str
    width: float = 0.0  # percent of the bar area
    y: int = 0

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_MAX_CHARS:
            return self.label
        return self.label[: LABEL_MAX_CHARS - 1].rstrip() + "…"

    @property
    def label_y(self) -> int:
        return self.y + 15

    @property
    def bar_y(self) -> int:
        return self.y + 21

    @property
    def value_y(self) -> int:
        return self.y + 34


@dataclass
class BarChart:
    """A horizontal bar chart, drawn by templates/transparency/includes/bar_chart.html."""

    key: str
    title: str
    label_heading: str
    value_heading: str
    bars: list[Bar] = field(default_factory=list)

    def __post_init__(self):
        largest = max((bar.value for bar in self.bars), default=0)
        for index, bar in enumerate(self.bars):
            bar.width = round(100 * bar.value / largest, 2) if largest else 0.0
            bar.y = index * ROW_HEIGHT

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def total(self) -> float:
        return sum(bar.value for bar in self.bars)


def _count_chart(key, title, label_heading, rows) -> BarChart:
    bars = [Bar(label=str(label), value=count, display=_number(count)) for label, count in rows]
    return BarChart(key=key, title=title, label_heading=label_heading, value_heading=_("Jumlah usulan"), bars=bars)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def human_duration(seconds: float | None) -> str:
    """'3,5 hari' or '7 jam': days with one decimal from one day up, whole hours below."""
    if seconds is None:
        return "—"
    if seconds >= 86_400:
        return _("%(n)s hari") % {"n": f"{seconds / 86_400:.1f}".replace(".", ",")}
    hours = max(round(seconds / 3_600), 1) if seconds > 0 else 0
    return _("%(n)s jam") % {"n": hours}


# --- medians -------------------------------------------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class _EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def medians_by_unit(queryset, duration) -> dict[tuple[str, str], tuple[float, int]]:
    """{(unit short name, unit name): (median seconds, number of proposals)} over `duration` per row."""
    duration = ExpressionWrapper(duration, output_field=DurationField())
    if connection.vendor == "postgresql":
        rows = (
            queryset.values("work_unit__short_name", "work_unit__name")
            .annotate(median=_Median(_EpochSeconds(duration)), n=Count("id"))
            .order_by()
        )
        return {(row["work_unit__short_name"], row["work_unit__name"]): (row["median"], row["n"]) for row in rows}
    # Elsewhere: number the rows per unit by duration and keep the middle one or two.
    middle = (
        queryset.annotate(
            duration=duration,
            position=Window(RowNumber(), partition_by=[F("work_unit_id")], order_by=[F("duration").asc(), F("id").asc()]),
            size=Window(Count("id"), partition_by=[F("work_unit_id")]),
        )
        .filter(position__gte=F("size") / 2.0, position__lte=F("size") / 2.0 + 1)
        .values_list("work_unit__short_name", "work_unit__name", "duration", "size")
        .order_by()
    )
    found: dict[tuple[str, str], list] = defaultdict(list)
    sizes: dict[tuple[str, str], int] = {}
    for short_name, name, value, size in middle:
        found[(short_name, name)].append(value.total_seconds() if isinstance(value, timedelta) else value / 1e6)
        sizes[(short_name, name)] = size
    return {unit: (fmean(values), sizes[unit]) for unit, values in found.items()}


@dataclass
class UnitTiming:
    short_name: str
    name: str
    moderated: int
    moderation_median: float | None
    answered: int
    answer_median: float | None

    @property
    def moderation_text(self) -> str:
        return human_duration(self.moderation_median)

    @property
    def answer_text(self) -> str:
        return human_duration(self.answer_median)


def unit_timings() -> list[UnitTiming]:
    """Median moderation and answer times per work unit (two queries)."""
    moderated = Proposal.objects.filter(submitted_at__isnull=False).filter(
        Q(published_at__isnull=False) | Q(status=Proposal.Status.REJECTED, status_changed_at__isnull=False)
    )
    decided_at = Case(
        When(published_at__isnull=False, then=F("published_at")),
        default=F("status_changed_at"),
    )
    moderation = medians_by_unit(moderated, decided_at - F("submitted_at"))
    answered = Proposal.objects.public().filter(published_at__isnull=False, first_answered_at__isnull=False)
    answers = medians_by_unit(answered, F("first_answered_at") - F("published_at"))
    timings = []
    for unit in sorted(set(moderation) | set(answers), key=lambda unit: unit[0].lower()):
        moderation_median, moderated_count = moderation.get(unit, (None, 0))
        answer_median, answered_count = answers.get(unit, (None, 0))
        timings.append(
            UnitTiming(
                short_name=unit[0],
                name=unit[1],
                moderated=moderated_count,
                moderation_median=moderation_median,
                answered=answered_count,
                answer_median=answer_median,
            )
        )
    return timings


# --- the page ------------------------------------------------------------------------------------


def _district_rows(public):
    """Public proposals per kecamatan: a village's proposals count for its kecamatan."""
    is_village = Q(region__level=Region.Level.DESA)
    return (
        public.annotate(
            district_code=Case(When(is_village, then=F("region__parent__code")), default=F("region__code")),
            district_name=Case(When(is_village, then=F("region__parent__name")), default=F("region__name")),
        )
        .values("district_code", "district_name")
        .annotate(n=Count("id"))
        .order_by("-n", "district_name")
        .values_list("district_name", "n")
    )


def statistics(now=None) -> dict:
    """Everything the statistics page shows, in a fixed number of queries."""
    now = now or timezone.now()
    public = Proposal.objects.public()

    status_labels = dict(Proposal.Status.choices)
    status_rows = list(public.values("status").annotate(n=Count("id"), comments=Sum("comment_count")).order_by())
    by_status_raw = {row["status"]: row["n"] for row in status_rows}
    by_status = [(status_labels[status], by_status_raw.get(status, 0)) for status in Proposal.PUBLIC_STATUSES]
    total_public = sum(by_status_raw.values())
    # The stored `comment_count` (hidden and deleted comments excluded): the cards' numbers, added up.
    proposal_comments = sum(row["comments"] or 0 for row in status_rows)

    by_category = public.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")
    by_unit = public.values("work_unit__short_name").annotate(n=Count("id")).order_by("-n", "work_unit__short_name")

    into_programs = public.filter(programs__isnull=False).values("id").distinct().count()
    programs = Program.objects.visible_to(AnonymousUser()).aggregate(
        total=Count("id", distinct=True),
        from_proposals=Count("id", distinct=True, filter=Q(source_proposals__isnull=False)),
    )

    timings = unit_timings()

    consultations = Consultation.objects.public()
    consultation_totals = consultations.aggregate(
        published=Count("id"),
        open=Count("id", filter=Q(opens_at__lte=now, closes_at__gt=now)),
        closed=Count("id", filter=Q(closes_at__lte=now)),
    )
    # Responses are counted only for closed consultations: results are never shown while one runs.
    closed_responses = Response.objects.filter(consultation__in=consultations.closed(now)).count()
    recent = list(
        consultations.closed(now).annotate(n=Count("responses")).order_by("-closes_at", "-id").values("id", "title", "closes_at", "n")[
            :RECENT_CONSULTATIONS
        ]
    )
    closed_count = consultation_totals["closed"]

    participation_chart = BarChart(
        key="partisipasi",
        title=_("Tanggapan per uji publik yang sudah ditutup (terbaru)"),
        label_heading=_("Uji publik"),
        value_heading=_("Jumlah tanggapan"),
        bars=[Bar(label=row["title"], value=row["n"], display=_number(row["n"])) for row in recent],
    )
    answer_chart = BarChart(
        key="waktu-jawab",
        title=_("Median waktu dari publikasi sampai jawaban resmi, per satuan kerja (hari)"),
        label_heading=_("Satuan kerja"),
        value_heading=_("Median (hari)"),
        bars=[
            Bar(label=timing.short_name, value=round(timing.answer_median / 86_400, 1), display=timing.answer_text)
            for timing in timings
            if timing.answer_median is not None
        ],
    )
    moderation_chart = BarChart(
        key="waktu-moderasi",
        title=_("Median waktu dari pengajuan sampai keputusan moderasi, per satuan kerja (hari)"),
        label_heading=_("Satuan kerja"),
        value_heading=_("Median (hari)"),
        bars=[
            Bar(label=timing.short_name, value=round(timing.moderation_median / 86_400, 1), display=timing.moderation_text)
            for timing in timings
            if timing.moderation_median is not None
        ],
    )
    return {
        "total_public": total_public,
        "proposal_comments": proposal_comments,
        "into_programs": into_programs,
        "into_programs_percent": round(100 * into_programs / total_public, 1) if total_public else 0.0,
        "programs_total": programs["total"],
        "programs_from_proposals": programs["from_proposals"],
        "consultations": consultation_totals,
        "closed_responses": closed_responses,
        "responses_per_closed": round(closed_responses / closed_count, 1) if closed_count else 0.0,
        "recent_consultations": recent,
        "timings": timings,
        "charts": {
            "category": _count_chart("kategori", _("Usulan per kategori"), _("Kategori"), by_category.values_list("category__name", "n")),
            "district": _count_chart("kecamatan", _("Usulan per kecamatan"), _("Kecamatan"), _district_rows(public)),
            "unit": _count_chart("satker", _("Usulan per satuan kerja tujuan"), _("Satuan kerja"), by_unit.values_list("work_unit__short_name", "n")),
            "status": _count_chart("status", _("Usulan per status"), _("Status"), by_status),
            "moderation": moderation_chart,
            "answer": answer_chart,
            "participation": participation_chart,
        },
    }
