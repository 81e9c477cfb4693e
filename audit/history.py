"""Change history in plain words, for the public "riwayat perubahan" pages.

Only an allow-list of fields is ever shown, so a history page cannot leak a column that was
never meant to be public. One implementation serves proposals, programs and consultations.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _


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
