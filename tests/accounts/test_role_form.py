"""Making someone an official or moderator in one step: the "Peran dan satuan kerja" section.

Saving the user's admin page sets the group, the staff flag and the unit's object right together;
choosing Warga takes them all away; a combination that cannot work is refused and writes nothing.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import rights
from accounts.models import User, WorkUnitMembership
from audit.models import AuditEvent


def user_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def page_data(client, user, **changes):
    """What the administrator's browser would send: the page's current values, then the changes."""
    form = client.get(user_url(user)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def calon(db):
    from tests import factories

    return factories.UserFactory(email="calon@contoh.id", full_name="Calon Petugas", roles=[rights.ROLE_WARGA])


def test_one_form_makes_an_official_who_can_act_at_once_and_removing_the_role_takes_it_all(
    client, admin, calon, dinas_pupr, dinas_dikbud, usulan
):
    client.force_login(admin)
    page = client.get(user_url(calon))
    content = page.content.decode()
    assert "Peran dan satuan kerja" in content
    # The raw widgets are gone from this path: no group list, no permission list, no staff box.
    assert 'name="groups"' not in content and 'name="user_permissions"' not in content and 'name="is_staff"' not in content

    response = client.post(user_url(calon), page_data(client, calon, role=rights.ROLE_PETUGAS, work_units=[str(dinas_pupr.pk)]))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    official = fresh(calon)
    assert official.is_staff
    assert set(official.groups.values_list("name", flat=True)) >= {rights.ROLE_PETUGAS}
    assert rights.work_unit_ids(official) == {dinas_pupr.pk}
    granted = AuditEvent.objects.filter(object_id=str(dinas_pupr.pk), action=AuditEvent.Action.RIGHT_GRANTED)
    assert granted.filter(actor=admin, data__holder_id=calon.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED, object_id=str(calon.pk), actor=admin).exists()

    # The rights work at once: the new official answers a proposal addressed to the unit.
    client.force_login(official)
    assert client.get(reverse("admin:participation_proposal_changelist")).status_code == 200
    answered = client.post(f"/usulan/{usulan.pk}/jawab/", {"answer": "Akan kami survei bulan depan."})
    assert answered.status_code == 302
    usulan.refresh_from_db()
    assert usulan.answered_by_id == calon.pk

    client.force_login(admin)
    response = client.post(user_url(calon), page_data(client, calon, role=rights.ROLE_WARGA, work_units=[]))
    assert response.status_code == 302

    former = fresh(calon)
    assert not former.is_staff
    assert not former.groups.filter(name__in=[rights.ROLE_PETUGAS, rights.ROLE_MODERATOR, rights.ROLE_ADMIN]).exists()
    assert rights.work_unit_ids(former) == frozenset()
    assert not WorkUnitMembership.objects.filter(user=calon).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RIGHT_REVOKED, object_id=str(dinas_pupr.pk), actor=admin).exists()
    revoked = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REVOKED, object_id=str(calon.pk), actor=admin)
    assert revoked.exists()
    # Only the role the person held is recorded as taken away, never roles they never had.
    assert {name for event in revoked for name in event.data["roles"]} == {rights.ROLE_PETUGAS}

    client.force_login(former)
    assert client.get(reverse("admin:participation_proposal_changelist")).status_code == 302  # sent to sign in
    second = usulan.__class__.objects.get(pk=usulan.pk)
    refused = client.post(f"/usulan/{second.pk}/jawab/", {"answer": "Lagi"})
    assert refused.status_code in (403, 404)


def test_making_a_moderator_sets_group_and_staff_flag(client, admin, calon):
    client.force_login(admin)
    client.post(user_url(calon), page_data(client, calon, role=rights.ROLE_MODERATOR, work_units=[]))
    moderator = fresh(calon)
    assert moderator.is_staff and rights.is_moderator(moderator)
    assert client.get(user_url(calon)).context["adminform"].form["role"].value() == rights.ROLE_MODERATOR


@pytest.mark.parametrize(
    "role, with_unit, message",
    [
        (rights.ROLE_PETUGAS, False, "harus bertugas di sedikitnya satu satuan kerja"),
        (rights.ROLE_WARGA, True, "Satuan kerja hanya diberikan kepada Petugas Satuan Kerja"),
        (rights.ROLE_MODERATOR, True, "Satuan kerja hanya diberikan kepada Petugas Satuan Kerja"),
    ],
)
def test_a_combination_that_cannot_work_is_refused_with_the_reason_and_nothing_is_written(
    client, admin, calon, dinas_pupr, role, with_unit, message
):
    client.force_login(admin)
    events_before = AuditEvent.objects.count()
    data = page_data(client, calon, role=role, work_units=[str(dinas_pupr.pk)] if with_unit else [], full_name="Nama Baru")
    response = client.post(user_url(calon), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    unchanged = fresh(calon)
    assert unchanged.full_name == "Calon Petugas"
    assert not unchanged.is_staff
    assert list(unchanged.groups.values_list("name", flat=True)) == [rights.ROLE_WARGA]
    assert not WorkUnitMembership.objects.filter(user=calon).exists()
    assert AuditEvent.objects.count() == events_before


def test_nobody_changes_their_own_role(client, admin, dinas_pupr):
    client.force_login(admin)
    page = client.get(user_url(admin))
    assert 'name="role"' not in page.content.decode()
    client.post(user_url(admin), page_data(client, admin, role=rights.ROLE_WARGA, work_units=[str(dinas_pupr.pk)]))
    me = fresh(admin)
    assert me.is_staff and me.groups.filter(name=rights.ROLE_ADMIN).exists()
    assert not WorkUnitMembership.objects.filter(user=admin).exists()


def test_officials_and_moderators_cannot_open_the_role_form(client, moderator, petugas_pupr, calon):
    for staff in (moderator, petugas_pupr):
        client.force_login(staff)
        assert client.get(user_url(calon)).status_code in (403, 404)
        client.post(user_url(calon), {"role": rights.ROLE_ADMIN, "email": calon.email, "full_name": "x"})
        assert not fresh(calon).is_staff
    assert Group.objects.get(name=rights.ROLE_ADMIN).user_set.filter(pk=calon.pk).exists() is False


def test_user_list_shows_roles_in_a_fixed_number_of_queries(client, admin, moderator, petugas_pupr, calon, django_assert_max_num_queries):
    client.force_login(admin)
    client.get(reverse("admin:accounts_user_changelist"))  # stores the person's summary (accounts/summary.py)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:accounts_user_changelist"))
    assert "Petugas Satuan Kerja" in page.content.decode() and "Moderator" in page.content.decode()
