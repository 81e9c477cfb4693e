"""Who may do what to work programs and their phases; registered with `accounts.rights`.

The rules answer "who": officials of the program's own work unit (and administrators) manage it;
verified citizens comment and rate. Phase order and dates ("what, when") are the model's rules,
enforced by `programs.services` with a clear message. Rating is also gated here by the running
phase (`Phase.ALLOWS`), so a "may rate" flag is never true outside Monitoring & Evaluasi.
"""

from accounts.rights import acts_for, admin_scope, is_administrator, is_verified, rule, work_unit_ids


@rule("programs.Program", "view")
def _view_program(user, program) -> bool:
    # Programs are public records; see ProgramQuerySet.visible_to.
    return program.pk is not None


@rule("programs.Program", "edit", "post_update")
def _manage_program(user, program) -> bool:
    return acts_for(user, program.work_unit_id)


@rule("programs.Program", "comment")
def _comment_on_program(user, program) -> bool:
    return is_verified(user)


@rule("programs.Program", "rate")
def _rate_program(user, program) -> bool:
    # Citizens judge the result; the unit's own officials and administrators do not rate it.
    return is_verified(user) and not acts_for(user, program.work_unit_id) and program.allows("rate")


@rule("programs.Phase", "view")
def _view_phase(user, phase) -> bool:
    return phase.pk is not None


@rule("programs.Phase", "start", "complete", "edit")
def _manage_phase(user, phase) -> bool:
    return acts_for(user, phase.program.work_unit_id)


@rule("programs.ProgressUpdate", "view")
def _view_update(user, update) -> bool:
    return update.pk is not None


@rule("programs.ProgressUpdate", "edit", "delete")
def _manage_update(user, update) -> bool:
    return acts_for(user, update.phase.program.work_unit_id)


# --- what staff may open in Django admin: the programs of the units they act for ----------------

_UNIT_PATH = {
    "programs.Program": "work_unit_id",
    "programs.Phase": "program__work_unit_id",
    "programs.ProgressUpdate": "phase__program__work_unit_id",
    "programs.ProgramDocument": "update__phase__program__work_unit_id",
}


@admin_scope(*_UNIT_PATH)
def _programs_in_admin(user, queryset):
    if is_administrator(user):
        return queryset
    return queryset.filter(**{f"{_UNIT_PATH[queryset.model._meta.label]}__in": work_unit_ids(user)})
