"""The public change history (riwayat perubahan) of a program, its phases and its progress reports."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import rights
from accounts.models import WorkUnitMembership
from audit.history import history_entries
from programs.models import Phase, Program, ProgressUpdate

PROGRAM_FIELDS = ["title", "description", "work_unit", "category", "region", "budget", "fiscal_year"]
PHASE_FIELDS = ["status", "progress", "planned_start", "planned_end", "actual_start", "actual_end", "description"]
UPDATE_FIELDS = ["date", "body"]


def _actor_labels(program: Program, records) -> dict:
    """Public names for the people in these records: their work unit or role, never a name or email."""
    user_ids = {record.history_user_id for record in records if record.history_user_id}
    members = set(
        WorkUnitMembership.objects.filter(user_id__in=user_ids, work_unit_id=program.work_unit_id).values_list(
            "user_id", flat=True
        )
    )
    admins = set(
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .filter(Q(is_superuser=True) | Q(groups__name=rights.ROLE_ADMIN))
        .values_list("pk", flat=True)
    )
    labels = {None: _("Sistem")}
    for user_id in user_ids:
        if user_id in members:
            labels[user_id] = program.work_unit.name
        elif user_id in admins:
            labels[user_id] = _("Administrator")
        else:
            labels[user_id] = _("Petugas satuan kerja")
    return labels


def program_history_entries(program: Program) -> list:
    """Every recorded change of the program, its phases and its reports, newest first."""
    program_records = list(program.history.all())
    phases = list(Phase.objects.filter(program=program).order_by("order"))
    phase_records = {phase.pk: list(Phase.history.filter(id=phase.pk)) for phase in phases}
    update_records = list(
        ProgressUpdate.history.filter(phase_id__in=[phase.pk for phase in phases], history_type="+")
    )
    all_records = program_records + [r for records in phase_records.values() for r in records] + update_records
    labels = _actor_labels(program, all_records)

    def actor_label(record):
        return labels.get(record.history_user_id, labels[None])

    entries = history_entries(program_records, fields=PROGRAM_FIELDS, actor_label=actor_label, subject=_("Program"))
    for phase in phases:
        entries += history_entries(
            phase_records[phase.pk],
            fields=PHASE_FIELDS,
            actor_label=actor_label,
            subject=_("Tahap %(phase)s") % {"phase": phase.get_kind_display()},
        )
    kinds = {phase.pk: phase.get_kind_display() for phase in phases}
    for record in update_records:
        entries += history_entries(
            [record],
            fields=UPDATE_FIELDS,
            actor_label=actor_label,
            subject=_("Laporan kemajuan tahap %(phase)s, %(date)s")
            % {"phase": kinds.get(record.phase_id, ""), "date": record.date.strftime("%d-%m-%Y")},
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
