"""The four roles and the model permissions each group carries (mainly for Django admin).

Object rights (which work unit, which state) are decided in `accounts.rights`; these model
permissions only open the admin screens a role works in.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts import rights

_ALL = ("add", "change", "delete", "view")

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    rights.ROLE_WARGA: {},
    rights.ROLE_MODERATOR: {
        "participation.proposal": ("view", "change"),
        "participation.comment": ("view", "change"),
        "participation.flag": ("view", "change"),
        "participation.category": ("view",),
        "participation.region": ("view",),
        "accounts.workunit": ("view",),
        "consultations.response": ("view", "change"),
    },
    rights.ROLE_PETUGAS: {
        "participation.proposal": ("view",),
        "participation.category": ("view",),
        "participation.region": ("view",),
        "accounts.workunit": ("view",),
        "programs.program": ("view", "add", "change"),
        "programs.phase": ("view", "change"),
        "programs.progressupdate": _ALL,
        "programs.programdocument": _ALL,
        "consultations.consultation": ("view", "add", "change"),
        "consultations.consultationdocument": _ALL,
        "consultations.response": ("view", "change"),
        "consultations.responsereply": ("view", "add"),
    },
    # Operators work on the site (/kerja/musrenbang/), not in admin.
    rights.ROLE_OPERATOR: {},
    rights.ROLE_ADMIN: {
        "accounts.user": _ALL,
        "accounts.workunit": _ALL,
        "accounts.workunitmembership": _ALL,
        "auth.group": ("view",),
        "participation.category": _ALL,
        "participation.region": _ALL,
        "participation.proposal": _ALL,
        "participation.comment": _ALL,
        "participation.flag": _ALL,
        "programs.program": _ALL,
        "programs.phase": _ALL,
        "programs.progressupdate": _ALL,
        "programs.programdocument": _ALL,
        "consultations.consultation": _ALL,
        "consultations.consultationdocument": _ALL,
        "consultations.response": ("view", "change"),
        "consultations.responsereply": ("view", "add"),
        "audit.auditevent": ("view",),
        "musrenbang.cycle": _ALL,
        "musrenbang.ceiling": _ALL,
        "musrenbang.operatorassignment": _ALL,
        "musrenbang.forum": ("view",),
        "musrenbang.priorityentry": ("view",),
        "musrenbang.cycleproposal": ("view",),
    },
}


def _permissions_for(spec: dict[str, tuple[str, ...]]):
    query = Q(pk__in=[])
    for model_label, verbs in spec.items():
        app_label, model = model_label.split(".")
        codenames = [f"{verb}_{model}" for verb in verbs]
        query |= Q(content_type__app_label=app_label, content_type__model=model, codename__in=codenames)
    return Permission.objects.filter(query)


def sync_role_permissions(**kwargs) -> None:
    """Make each role group hold exactly its listed permissions (those whose models exist yet)."""
    for role, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions_for(spec))


# --- giving a person a staff role in one step ---------------------------------------------------

STAFF_ROLES = (rights.ROLE_MODERATOR, rights.ROLE_PETUGAS, rights.ROLE_ADMIN)


def current_role(user) -> str:
    """The one staff role the role form shows for this person (Warga when they hold none)."""
    names = {group.name for group in user.groups.all()}  # uses a prefetch when the list made one
    for role in (rights.ROLE_ADMIN, rights.ROLE_MODERATOR, rights.ROLE_PETUGAS):
        if role in names:
            return role
    return rights.ROLE_WARGA


def role_problems(*, actor, user, role: str, work_units) -> list[tuple[str, str]]:
    """Why this combination cannot work: (form field, words for the administrator); empty when it can."""
    from django.utils.translation import gettext as _

    problems = []
    if role not in rights.ROLES:
        problems.append(("role", _("Peran tidak dikenal.")))
    if user.pk is not None and actor is not None and user.pk == actor.pk:
        problems.append(("role", _("Anda tidak dapat mengubah peran Anda sendiri; minta administrator lain.")))
    if role == rights.ROLE_ADMIN and not rights.is_administrator(actor):
        problems.append(("role", _("Hanya administrator yang dapat menjadikan orang lain administrator.")))
    units = list(work_units)
    if role == rights.ROLE_PETUGAS and not units:
        problems.append(
            ("work_units", _("Petugas Satuan Kerja harus bertugas di sedikitnya satu satuan kerja: tanpa satuan kerja ia tidak "
              "dapat menjawab usulan atau mengelola program apa pun. Pilih satuan kerjanya."))
        )
    if role != rights.ROLE_PETUGAS and units:
        problems.append(
            ("work_units", _("Satuan kerja hanya diberikan kepada Petugas Satuan Kerja. Pilih peran Petugas Satuan "
                             "Kerja, atau kosongkan pilihan satuan kerja."))
        )
    if any(not unit.is_active for unit in units):
        problems.append(("work_units", _("Satuan kerja yang tidak aktif tidak dapat diberi petugas.")))
    return problems


def assign_role(*, actor, user, role: str, work_units=()) -> None:
    """Give `user` exactly this role: its group, the staff flag and, for officials, the units' rights.

    One transaction: the group, `is_staff` and the work-unit memberships (whose signals grant or
    revoke the guardian right and write the audit events) change together or not at all. Choosing
    Warga takes every staff role, unit and the staff flag away.
    """
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from accounts.models import User, WorkUnitMembership

    units = list(work_units)
    problems = role_problems(actor=actor, user=user, role=role, work_units=units)
    if problems:
        raise ValidationError([message for _field, message in problems])
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        wanted_unit_ids = {unit.pk for unit in units} if role == rights.ROLE_PETUGAS else set()
        for membership in WorkUnitMembership.objects.filter(user=locked).exclude(work_unit_id__in=wanted_unit_ids):
            membership.delete()
        existing = set(WorkUnitMembership.objects.filter(user=locked).values_list("work_unit_id", flat=True))
        for unit_id in sorted(wanted_unit_ids - existing):
            WorkUnitMembership.objects.create(user=locked, work_unit_id=unit_id)
        groups = {group.name: group for group in Group.objects.filter(name__in=rights.ROLES)}
        for name in rights.ROLES:
            if name not in groups:
                groups[name] = Group.objects.create(name=name)
        # Only roles actually held are removed, so the audit log never records revoking one never given.
        held = list(locked.groups.filter(name__in=STAFF_ROLES).exclude(name=role))
        if held:
            locked.groups.remove(*held)
        locked.groups.add(groups[role])
        is_staff = role in STAFF_ROLES
        if locked.is_staff != is_staff:
            locked.is_staff = is_staff
            locked._change_reason = "Peran diubah"
            locked.save(update_fields=["is_staff"])
    user.is_staff = is_staff
    rights.forget_cached_rights(user)
