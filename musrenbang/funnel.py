"""The public funnel of a cycle: how many proposals reached each stage, overall, per kecamatan and
per category. Three aggregate queries whatever the number of proposals or forums.

Only public proposals count (published or answered, not hidden): the funnel shows what anyone can
open and check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musrenbang.models import CycleProposal, Reached
from participation.models import Proposal
from transparency.statistics import Bar, BarChart

STEPS = [
    ("submitted", gettext_lazy("Usulan masuk")),
    ("kecamatan", gettext_lazy("Dibawa ke Musrenbang Kecamatan")),
    ("kabupaten", gettext_lazy("Dibawa ke Musrenbang Kabupaten")),
    ("handed", gettext_lazy("Diserahkan ke perangkat daerah")),
    ("programs", gettext_lazy("Menjadi program kerja")),
]


def _counts():
    return {
        "submitted": Count("pk"),
        "kecamatan": Count("pk", filter=Q(reached__gte=Reached.KECAMATAN)),
        "kabupaten": Count("pk", filter=Q(reached__gte=Reached.KABUPATEN)),
        "handed": Count("pk", filter=Q(reached__gte=Reached.HANDED)),
        "programs": Count("pk", filter=Q(reached__gte=Reached.HANDED, proposal__status=Proposal.Status.ACCEPTED)),
    }


def public_members(cycle):
    return CycleProposal.objects.filter(
        cycle=cycle, proposal__status__in=Proposal.PUBLIC_STATUSES, proposal__is_hidden=False
    )


@dataclass
class FunnelRow:
    label: str
    counts: dict

    def cells(self):
        return [self.counts[key] for key, _label in STEPS]


def _number(value) -> str:
    return f"{value:,}".replace(",", ".")


def funnel(cycle) -> dict:
    members = public_members(cycle)
    totals = members.aggregate(**_counts())
    chart = BarChart(
        key="corong",
        title=_("Perjalanan usulan %(title)s") % {"title": cycle.title},
        label_heading=_("Tahap"),
        value_heading=_("Jumlah usulan"),
        bars=[Bar(label=str(label), value=totals[key], display=_number(totals[key])) for key, label in STEPS],
    )
    by_kecamatan = [
        FunnelRow(label=row["kecamatan__name"] or _("Tingkat kabupaten"), counts=row)
        for row in members.order_by().values("kecamatan__name").annotate(**_counts()).order_by("kecamatan__name")
    ]
    by_category = [
        FunnelRow(label=row["proposal__category__name"], counts=row)
        for row in members.order_by().values("proposal__category__name").annotate(**_counts()).order_by("proposal__category__name")
    ]
    return {
        "steps": [label for _key, label in STEPS],
        "totals": totals,
        "chart": chart,
        "by_kecamatan": by_kecamatan,
        "by_category": by_category,
    }
