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
