"""The public change history (riwayat perubahan) of a program, its phases and its progress reports."""

from django.utils.translation import gettext as _

from audit.history import history_entries, role_label
from programs.models import Phase, Program, ProgressUpdate

PROGRAM_FIELDS = ["title", "description", "work_unit", "category", "region", "budget", "fiscal_year"]
PHASE_FIELDS = ["status", "progress", "planned_start", "planned_end", "actual_start", "actual_end", "description"]
UPDATE_FIELDS = ["date", "body"]


def program_history_entries(program: Program) -> list:
    """Every recorded change of the program, its phases and its reports, newest first."""
    program_records = list(program.history.all())
    phases = list(Phase.objects.filter(program=program).order_by("order"))
    phase_records = {phase.pk: list(Phase.history.filter(id=phase.pk)) for phase in phases}
    records_per_update: dict[int, list] = {}
    for record in ProgressUpdate.history.filter(phase_id__in=[phase.pk for phase in phases]):
        records_per_update.setdefault(record.id, []).append(record)

    def actor_label(record):
        return role_label(record, official=program.work_unit.name)

    entries = history_entries(program_records, fields=PROGRAM_FIELDS, actor_label=actor_label, subject=_("Program"))
    for phase in phases:
        entries += history_entries(
            phase_records[phase.pk],
            fields=PHASE_FIELDS,
            actor_label=actor_label,
            subject=_("Tahap %(phase)s") % {"phase": phase.get_kind_display()},
        )
    kinds = {phase.pk: phase.get_kind_display() for phase in phases}
    for records in records_per_update.values():
        # A report's own later rows (a moderator's redaction, a removal) are part of its story too.
        first = min(records, key=lambda record: (record.history_date, record.history_id))
        entries += history_entries(
            records,
            fields=UPDATE_FIELDS,
            actor_label=actor_label,
            subject=_("Laporan kemajuan tahap %(phase)s, %(date)s")
            % {"phase": kinds.get(first.phase_id, ""), "date": first.date.strftime("%d-%m-%Y")},
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
