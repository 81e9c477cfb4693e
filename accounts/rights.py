"""The one place that answers "may this user do this to this object".

Every view, template flag, admin page and service asks `can()` or `require()`; nothing else
re-implements a rule. Actions form a closed vocabulary: an unknown action, a missing object or a
missing role is a "no" (fail closed).

Decisions written down once:
- Superusers and members of the Administrator group may do every action except taking part as a
  citizen (supporting, responding, rating), which stays with verified citizens.
- A Petugas acts for a work unit only through the guardian object right `accounts.act_for_workunit`
  on that unit. The Petugas group alone grants no object right (Django's ModelBackend never answers
  object questions; we do not let a global permission stand in for one).
- Participation (propose, support, comment, flag, respond, rate) needs an active account with a
  verified email address.

The predicates for each kind of object live in that app's `rules.py` (loaded at start-up) and
are built only from the helpers here; `can()` dispatches to them by (model label, action).
"""

from __future__ import annotations

from typing import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import summary

ROLE_WARGA = "Warga"
ROLE_MODERATOR = "Moderator"
ROLE_PETUGAS = "Petugas Satuan Kerja"
ROLE_ADMIN = "Administrator"
# Granted with a region (musrenbang.OperatorAssignment), like Petugas with a work unit.
ROLE_OPERATOR = "Operator Musrenbang"
ROLES = (ROLE_WARGA, ROLE_MODERATOR, ROLE_PETUGAS, ROLE_ADMIN, ROLE_OPERATOR)

WORK_UNIT_PERMISSION = "accounts.act_for_workunit"


def _roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    summary.load(user)
    return user._cached_role_names


def has_role(user, role: str) -> bool:
    """Whether an active user belongs to the role's group."""
    return role in _roles(user)


def is_administrator(user) -> bool:
    """Superusers and the Administrator group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or has_role(user, ROLE_ADMIN)


def is_moderator(user) -> bool:
    """Moderators, and administrators who may always moderate."""
    return has_role(user, ROLE_MODERATOR) or is_administrator(user)


def is_verified(user) -> bool:
    """An active account whose email address has been confirmed."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    summary.load(user)
    return user._cached_is_verified


def work_unit_ids(user) -> frozenset[int]:
    """Ids of the work units the user holds the act-for right on (one query, cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    summary.load(user)
    return user._cached_work_unit_ids


def acts_for(user, work_unit_id: int | None) -> bool:
    """Whether the user may act for this work unit (administrators always may)."""
    if work_unit_id is None:
        return False
    return is_administrator(user) or work_unit_id in work_unit_ids(user)


def is_official(user) -> bool:
    """Holds the act-for right on at least one work unit."""
    return bool(work_unit_ids(user))


def is_staff_member(user) -> bool:
    """Anyone who works on the portal rather than only taking part: admin access, a staff role or a unit.

    These accounts must prove a second factor before any page opens (accounts.middleware).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(_roles(user) & {ROLE_MODERATOR, ROLE_PETUGAS, ROLE_ADMIN, ROLE_OPERATOR}) or is_official(user)


def forget_cached_rights(user) -> None:
    """Drop the cached rights (this request's and the shared summary) after they change."""
    summary.forget(user.pk, user)
    if hasattr(user, "_cached_operator_region_ids"):
        delattr(user, "_cached_operator_region_ids")


# --- rules per kind of object -------------------------------------------------------------------

Rule = Callable[[object, object], bool]
_RULES: dict[tuple[str, str], Rule] = {}


def rule(label: str, *actions: str):
    """Register a predicate for (model label, action) pairs; used by the apps' rules modules."""

    def register(func: Rule) -> Rule:
        for action in actions:
            _RULES[(label, action)] = func
        return func

    return register


def can(user, action: str, obj) -> bool:
    """True only when a registered rule for this object's kind and action says yes."""
    if obj is None or user is None:
        return False
    predicate = _RULES.get((obj._meta.label, action))
    if predicate is None:
        return False
    return bool(predicate(user, obj))


class Refused(PermissionDenied):
    """A refusal that knows what was tried on what, so the security log can say it (config.views)."""

    def __init__(self, action: str = "", target=None):
        super().__init__(action)
        self.action = action
        self.target = target


def require(user, action: str, obj) -> None:
    """Raise Http404 when the user may not see the object, PermissionDenied when they may not act."""
    if action != "view" and not can(user, "view", obj):
        raise Http404
    if not can(user, action, obj):
        if action == "view":
            raise Http404
        raise Refused(action, obj)


# --- what each person may open in Django admin ------------------------------------------------------

Scope = Callable[[object, "QuerySet"], "QuerySet"]
_ADMIN_SCOPES: dict[str, Scope] = {}


def admin_scope(*labels: str):
    """Register, for each model label, the rows of a queryset a staff member may open in admin.

    The apps' rules modules register one per model a staff role works on; a model with none
    (users, groups, audit events, third-party models) is for administrators only.
    """

    def register(func: Scope) -> Scope:
        for label in labels:
            _ADMIN_SCOPES[label] = func
        return func

    return register


def scope_for_admin(user, queryset):
    """The part of `queryset` this user may list, search, filter, open, change or delete in admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = _ADMIN_SCOPES.get(queryset.model._meta.label)
    if scope is None:
        return queryset if is_administrator(user) else queryset.none()
    return scope(user, queryset)


def in_admin_scope(user, obj) -> bool:
    """Whether this stored object lies inside the user's admin scope (one query; none for superusers)."""
    if obj is None or obj.pk is None:
        return False
    if getattr(user, "is_superuser", False) and user.is_active and user.is_staff:
        return True
    return scope_for_admin(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def everything(user, queryset):
    """The scope of public reference data (categories, regions, work units): staff with the model right see all."""
    return queryset


admin_scope("accounts.WorkUnit")(everything)


@rule("accounts.WorkUnit", "act_for")
def _act_for_work_unit(user, work_unit) -> bool:
    return acts_for(user, work_unit.pk)


@rule("accounts.WorkUnit", "view")
def _view_work_unit(user, work_unit) -> bool:
    return work_unit.is_active or acts_for(user, work_unit.pk)


def is_author(user, obj) -> bool:
    """Whether the user wrote this object (a proposal, comment or response)."""
    return getattr(user, "is_authenticated", False) and obj.author_id is not None and obj.author_id == user.pk


def can_read_audit_log(user) -> bool:
    """Administrators read (never edit) the audit log; nobody else does."""
    return is_administrator(user)


def can_use_workspace(user) -> bool:
    """The officials' workspace (/kerja/): officials of a unit, moderators and administrators.

    Only staff accounts and members of the Petugas group are asked for unit rights, so a citizen's
    page never pays a query for this menu entry.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_moderator(user):
        return True
    return (user.is_staff or has_role(user, ROLE_PETUGAS)) and is_official(user)
