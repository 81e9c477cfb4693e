"""Atom feeds: new published proposals, program progress updates (all, or one program's) and consultations.

Every feed reads the same public querysets as the pages; an unknown or non-public object is a 404.
Summaries are escaped before they go out: Atom readers treat a summary as HTML, and citizens'
text must reach them as text.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.models import Consultation
from participation.models import Proposal
from programs.models import Program, ProgressUpdate

FEED_ITEMS = 30
SUMMARY_WORDS = 80


def _summary(text: str) -> str:
    return escape(Truncator(text or "").words(SUMMARY_WORDS, truncate=" …"))


def _comments(item) -> str:
    """The item's `comment_count`, the number its card and page show too."""
    return ngettext("%(n)d komentar", "%(n)d komentar", item.comment_count) % {"n": item.comment_count}


class PortalFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return f"{settings.SITE_NAME} · {settings.REGION_NAME}"


class ProposalFeed(PortalFeed):
    title = gettext_lazy("Usulan warga terbaru")
    subtitle = gettext_lazy("Usulan program kerja yang baru dipublikasikan setelah moderasi.")

    def link(self):
        return reverse("participation:proposal_list")

    def items(self):
        return (
            Proposal.objects.public()
            .filter(published_at__isnull=False)
            .select_related("category", "work_unit", "region")
            .order_by("-published_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        supports = ngettext("%(n)d dukungan", "%(n)d dukungan", item.support_count) % {"n": item.support_count}
        return f"{escape(supports)} · {escape(_comments(item))}. {_summary(item.description)}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.answered_at or item.published_at

    def item_categories(self, item):
        return [item.category.name, item.work_unit.short_name, item.region.name]


class ProgramUpdateFeed(PortalFeed):
    """Progress updates of every program, or of one program when the URL names it."""

    def get_object(self, request, pk=None):
        if pk is None:
            return None
        return get_object_or_404(Program.objects.visible_to(AnonymousUser()), pk=pk)

    def title(self, obj):
        if obj is None:
            return _("Laporan kemajuan program kerja")
        return _("Laporan kemajuan: %(program)s") % {"program": obj.title}

    def subtitle(self, obj):
        return _("Laporan kemajuan terbaru dari setiap tahap program kerja.")

    def link(self, obj):
        return obj.get_absolute_url() if obj is not None else reverse("programs:program_list")

    def items(self, obj):
        programs = Program.objects.visible_to(AnonymousUser())
        if obj is not None:
            programs = programs.filter(pk=obj.pk)
        return (
            ProgressUpdate.objects.filter(phase__program__in=programs)
            .select_related("phase", "phase__program", "phase__program__work_unit")
            .order_by("-created_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return f"{item.phase.program.title} · {item.phase.get_kind_display()} · {item.date:%d-%m-%Y}"

    def item_description(self, item):
        return _summary(item.body)

    def item_link(self, item):
        return f"{item.phase.program.get_absolute_url()}#laporan-{item.pk}"

    def item_guid(self, item):
        return f"{item.phase.program.get_absolute_url()}#laporan-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_categories(self, item):
        return [item.phase.program.work_unit.short_name, item.phase.get_kind_display()]


class ConsultationFeed(PortalFeed):
    title = gettext_lazy("Uji publik")
    subtitle = gettext_lazy("Rancangan yang dibuka untuk tanggapan warga.")

    def link(self):
        return reverse("consultations:list")

    def items(self):
        return Consultation.objects.public().select_related("work_unit", "category").order_by("-opens_at", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        window = _("Dibuka %(opens)s sampai %(closes)s.") % {
            "opens": timezone.localtime(item.opens_at).strftime("%d-%m-%Y %H:%M"),
            "closes": timezone.localtime(item.closes_at).strftime("%d-%m-%Y %H:%M"),
        }
        return f"{escape(window)} {escape(_comments(item))}. {_summary(item.summary)}"

    def item_pubdate(self, item):
        return item.published_at or item.opens_at

    def item_updateddate(self, item):
        return item.follow_up_at or item.published_at or item.opens_at

    def item_categories(self, item):
        return [item.category.name, item.work_unit.short_name]
