"""Who may do what in Musrenbang; registered with `accounts.rights`.

An operator acts for the regions of their `OperatorAssignment` rows and every region under them
(an operator of a kecamatan also serves its desa). Administrators act everywhere. Nobody else
records forums or enters proposals for citizens.
"""

from accounts.rights import is_administrator, is_moderator, rule


def operator_region_ids(user) -> frozenset[int]:
    """Ids of the regions the user operates in, descendants included (two queries, cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_cached_operator_region_ids", None)
    if cached is None:
        from participation.models import Region

        from musrenbang.models import OperatorAssignment

        assigned = set(OperatorAssignment.objects.filter(user=user).values_list("region_id", flat=True))
        if assigned:
            assigned |= set(
                Region.objects.filter(parent_id__in=assigned).values_list("pk", flat=True)
            ) | set(Region.objects.filter(parent__parent_id__in=assigned).values_list("pk", flat=True))
        cached = frozenset(assigned)
        user._cached_operator_region_ids = cached
    return cached


def is_operator(user) -> bool:
    return bool(operator_region_ids(user))


def operates_in(user, region_id) -> bool:
    """Whether the user may record forums and enter proposals for this region."""
    if region_id is None:
        return False
    return is_administrator(user) or region_id in operator_region_ids(user)


def forget_operator_rights(user) -> None:
    if hasattr(user, "_cached_operator_region_ids"):
        delattr(user, "_cached_operator_region_ids")


@rule("participation.Region", "operate_musrenbang")
def _operate_region(user, region) -> bool:
    return operates_in(user, region.pk)


@rule("musrenbang.Cycle", "view")
def _view_cycle(user, cycle) -> bool:
    return cycle.is_published or is_administrator(user)


@rule("musrenbang.Forum", "view")
def _view_forum(user, forum) -> bool:
    return forum.cycle.is_published or is_administrator(user)


@rule("musrenbang.Forum", "record")
def _record_forum(user, forum) -> bool:
    return operates_in(user, forum.region_id)


@rule("musrenbang.ForumDocument", "view")
def _view_forum_document(user, document) -> bool:
    # Minutes are public; the attendance list carries names and signatures: its region's operators,
    # moderators and administrators only.
    if document.role == "minutes":
        return document.forum.cycle.is_published or is_administrator(user)
    return operates_in(user, document.forum.region_id) or is_moderator(user)


@rule("musrenbang.OfflineEntry", "view_private")
def _view_offline_private(user, entry) -> bool:
    """The proposer's phone and the claim state: operators of the region and administrators."""
    return operates_in(user, entry.region_id)
