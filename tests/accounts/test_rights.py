import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from accounts import rights
from accounts.models import WorkUnitMembership
from accounts.roles import ROLE_PERMISSIONS
from tests import factories

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_model_permissions():
    for role in rights.ROLES:
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        for model_label, verbs in ROLE_PERMISSIONS[role].items():
            app_label, model = model_label.split(".")
            for verb in verbs:
                permission = f"{app_label}.{verb}_{model}"
                from django.contrib.auth.models import Permission

                if Permission.objects.filter(content_type__app_label=app_label, codename=f"{verb}_{model}").exists():
                    assert permission in held, (role, permission)
    assert not Group.objects.get(name=rights.ROLE_WARGA).permissions.exists()
    admin_perms = set(Group.objects.get(name=rights.ROLE_ADMIN).permissions.values_list("codename", flat=True))
    assert {"add_workunit", "change_user", "view_auditevent"} <= admin_perms
    assert "change_auditevent" not in admin_perms


def test_guardian_object_right_decides_who_acts_for_a_work_unit(dinas_pupr, dinas_dikbud):
    official = factories.UserFactory()
    assert not rights.can(official, "act_for", dinas_pupr)

    assign_perm(rights.WORK_UNIT_PERMISSION, official, dinas_pupr)
    rights.forget_cached_rights(official)
    assert rights.can(official, "act_for", dinas_pupr)
    assert not rights.can(official, "act_for", dinas_dikbud)
    assert official.has_perm(rights.WORK_UNIT_PERMISSION, dinas_pupr)  # guardian backend agrees

    remove_perm(rights.WORK_UNIT_PERMISSION, official, dinas_pupr)
    rights.forget_cached_rights(official)
    assert not rights.can(official, "act_for", dinas_pupr)


def test_membership_grants_and_removal_revokes_the_unit_right(dinas_pupr):
    user = factories.UserFactory()
    membership = WorkUnitMembership.objects.create(user=user, work_unit=dinas_pupr)
    assert rights.can(user, "act_for", dinas_pupr)
    assert user.groups.filter(name=rights.ROLE_PETUGAS).exists()
    membership.delete()
    assert not rights.can(user, "act_for", dinas_pupr)
    assert not user.groups.filter(name=rights.ROLE_PETUGAS).exists()


def test_petugas_group_alone_gives_no_object_right(dinas_pupr):
    user = factories.UserFactory(roles=[rights.ROLE_PETUGAS])
    assert not rights.can(user, "act_for", dinas_pupr)


def test_anonymous_unknown_action_and_missing_object_are_denied(petugas_pupr, dinas_pupr, admin):
    assert not rights.can(AnonymousUser(), "act_for", dinas_pupr)
    assert not rights.can(petugas_pupr, "launch_rocket", dinas_pupr)
    assert not rights.can(petugas_pupr, "act_for", None)
    assert not rights.can(admin, "launch_rocket", dinas_pupr)


def test_inactive_official_loses_the_right(petugas_pupr, dinas_pupr):
    petugas_pupr.is_active = False
    rights.forget_cached_rights(petugas_pupr)
    assert not rights.can(petugas_pupr, "act_for", dinas_pupr)


def test_administrator_acts_for_every_unit(admin, dinas_pupr):
    assert rights.can(admin, "act_for", dinas_pupr)


def test_require_hides_what_cannot_be_seen_and_refuses_what_cannot_be_done(petugas_dikbud, dinas_pupr):
    with pytest.raises(PermissionDenied):
        rights.require(petugas_dikbud, "act_for", dinas_pupr)
    dinas_pupr.is_active = False
    with pytest.raises(Http404):
        rights.require(petugas_dikbud, "act_for", dinas_pupr)


def test_unverified_user_cannot_participate(belum_verifikasi, warga):
    assert not rights.is_verified(belum_verifikasi)
    assert rights.is_verified(warga)
    assert not rights.is_verified(AnonymousUser())
