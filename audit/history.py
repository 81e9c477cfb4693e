"""Change history in plain words, for the public "riwayat perubahan" pages.

Only an allow-list of fields is ever shown, so a history page cannot leak a column that was
never meant to be public. One implementation serves proposals, programs and consultations.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ActorRole:
    """The capacity someone changed an item in, stored on each history row (`history_actor_role`)
    when the row is written, so a public history never has to guess it later."""

    SYSTEM = "system"
    AUTHOR = "author"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMINISTRATOR = "administrator"
    CITIZEN = "citizen"

    LABELS = {
        SYSTEM: gettext_lazy("Sistem"),
        AUTHOR: gettext_lazy("Pengusul"),
        MODERATOR: gettext_lazy("Moderator"),
        OFFICIAL: gettext_lazy("Petugas satuan kerja"),
        ADMINISTRATOR: gettext_lazy("Administrator"),
        CITIZEN: gettext_lazy("Warga"),
    }


def _work_unit_id(instance):
    """The work unit an item belongs to: its own, its program's or its consultation's."""
    for _hop in range(3):
        if instance is None:
            return None
        if hasattr(instance, "work_unit_id"):
            return instance.work_unit_id
        instance = next(
            (getattr(instance, name) for name in ("phase", "program", "consultation") if hasattr(instance, f"{name}_id")),
            None,
        )
    return None


def actor_role_for(user, instance) -> str:
    """The role `user` acts in when changing `instance`, decided now, at the time of the change.

    A service may name the capacity itself (`instance._history_actor_role`, e.g. a redaction);
    otherwise: the item's author, an administrator, an official of the item's work unit, a
    moderator, any official, a citizen. A person holding several roles is credited with the one
    that gives them the right to this change.
    """
    from accounts import rights

    explicit = getattr(instance, "_history_actor_role", None)
    if explicit:
        return explicit
    if user is None or not getattr(user, "is_authenticated", False):
        return ActorRole.SYSTEM
    if getattr(instance, "author_id", None) == user.pk:
        return ActorRole.AUTHOR
    if rights.is_administrator(user):
        return ActorRole.ADMINISTRATOR
    unit_id = _work_unit_id(instance)
    if unit_id is not None and unit_id in rights.work_unit_ids(user):
        return ActorRole.OFFICIAL
    if rights.is_moderator(user):
        return ActorRole.MODERATOR
    if rights.is_official(user):
        return ActorRole.OFFICIAL
    return ActorRole.CITIZEN


def role_label(record, **overrides) -> str:
    """The public name of the role a history row was written in; `overrides` rename roles per page
    (a program's history names the unit instead of "Petugas satuan kerja")."""
    role = getattr(record, "history_actor_role", "") or (ActorRole.SYSTEM if record.history_user_id is None else "")
    if role in overrides:
        return str(overrides[role])
    return str(ActorRole.LABELS.get(role, gettext_lazy("Petugas portal")))


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    kind: str  # "created", "changed" or "deleted"
    actor: str
    reason: str
    subject: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def _display(record, field_name: str) -> str:
    model_field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if model_field.is_relation:
        related = getattr(record, field_name, None)
        return str(related) if related is not None else "—"
    if isinstance(value, int) and ("budget" in field_name or "cost" in field_name):
        return f"Rp{value:,}".replace(",", ".")
    return str(value)


def history_entries(records, *, fields: list[str], actor_label, subject: str = "") -> list[HistoryEntry]:
    """Turn history records (any order) into entries, newest first, listing changed allowed fields.

    `actor_label(record)` says who acted in public terms (a work unit, "Moderator", "Pengusul"),
    never an email address.
    """
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    entries: list[HistoryEntry] = []
    previous = None
    for record in ordered:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        changes = []
        if previous is not None and kind == "changed":
            for name in fields:
                old, new = _display(previous, name), _display(record, name)
                if old != new:
                    label = str(record.instance_type._meta.get_field(name).verbose_name).capitalize()
                    changes.append(FieldChange(label=label, old=old, new=new))
        reason = record.history_change_reason or ""
        if kind == "changed" and not changes and not reason:
            previous = record
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                kind=kind,
                actor=actor_label(record),
                reason=reason,
                subject=subject,
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries


def backfill_actor_roles(apps, historical_model_names: list[str]) -> None:
    """For migrations: rows written before `history_actor_role` existed get the role their person
    held when the migration ran (the best record there is), decided like `actor_role_for`."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "WorkUnitMembership")
    administrators = set(
        User.objects.filter(models.Q(is_superuser=True) | models.Q(groups__name="Administrator")).values_list("pk", flat=True)
    )
    moderators = set(User.objects.filter(groups__name="Moderator").values_list("pk", flat=True))
    units_of: dict[int, set[int]] = {}
    for user_id, unit_id in Membership.objects.values_list("user_id", "work_unit_id"):
        units_of.setdefault(user_id, set()).add(unit_id)
    for label in historical_model_names:
        model = apps.get_model(label)
        has_author = any(f.name == "author" for f in model._meta.fields)
        has_unit = any(f.name == "work_unit" for f in model._meta.fields)
        for record in model.objects.filter(history_actor_role="").iterator():
            user_id = record.history_user_id
            if user_id is None:
                role = ActorRole.SYSTEM
            elif has_author and record.author_id == user_id:
                role = ActorRole.AUTHOR
            elif user_id in administrators:
                role = ActorRole.ADMINISTRATOR
            elif has_unit and record.work_unit_id in units_of.get(user_id, ()):
                role = ActorRole.OFFICIAL
            elif user_id in moderators:
                role = ActorRole.MODERATOR
            elif user_id in units_of:
                role = ActorRole.OFFICIAL
            else:
                role = ActorRole.CITIZEN
            model.objects.filter(pk=record.pk).update(history_actor_role=role)
