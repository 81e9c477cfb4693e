"""Musrenbang panels on pages of other apps: a proposal's path through the cycle, a program's origin."""

from django import template

register = template.Library()


@register.simple_tag
def musrenbang_path(proposal):
    """The proposal's cycle, provenance and forums (two queries), or None outside any public cycle."""
    from musrenbang.views import proposal_path

    return proposal_path(proposal)


@register.simple_tag
def musrenbang_origins(program):
    """For each source proposal that went through a kabupaten hand-over: cycle, rank and kecamatan."""
    from musrenbang.models import PriorityEntry, Stage

    entries = (
        PriorityEntry.objects.filter(
            cycle_proposal__proposal__programs=program, forum__stage=Stage.KECAMATAN, decision="advance",
            forum__cycle__is_published=True,
        )
        .select_related("forum__cycle", "forum__region")
        .order_by("forum__cycle__year", "rank")
    )
    return list(entries)


@register.filter
def is_musrenbang_operator(user) -> bool:
    """Operators (and administrators) see the link to their Musrenbang workspace.

    Asks the role (granted with every assignment), which the header's other links already loaded:
    no query of its own on every page."""
    from accounts import rights

    return rights.has_role(user, rights.ROLE_OPERATOR) or rights.is_administrator(user)
