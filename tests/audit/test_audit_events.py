import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from accounts import rights
from accounts.models import WorkUnitMembership
from audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_login_logout_and_failed_login_are_recorded_without_the_password(client, warga):
    client.post("/akun/login/", {"login": warga.email, "password": "salah-sandi-rahasia"}, HTTP_USER_AGENT="HP Murah/1.0")
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.data == {"attempted_email": warga.email}
    assert failed.user_agent == "HP Murah/1.0" and failed.ip_address == "127.0.0.1"
    assert "salah-sandi-rahasia" not in str(failed.data)
    client.post("/akun/login/", {"login": warga.email, "password": "rahasia-kuat-123"})
    client.post("/akun/logout/")
    assert actions()[-2:] == [Action.LOGIN, Action.LOGOUT]
    assert AuditEvent.objects.get(action=Action.LOGIN).actor == warga


def test_signup_confirmation_and_password_changes_are_recorded(client):
    client.post(
        "/akun/signup/",
        {"full_name": "Nyoman", "email": "nyoman@contoh.id", "password1": "Pura-Besakih-88", "password2": "Pura-Besakih-88", "privacy_consent": "on"},
    )
    link = re.search(r"(/akun/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    client.post(link)
    client.post(
        "/akun/password/change/",
        {"oldpassword": "Pura-Besakih-88", "password1": "Pura-Tanah-Lot-99", "password2": "Pura-Tanah-Lot-99"},
    )
    recorded = set(actions())
    assert {Action.SIGNUP, Action.EMAIL_CONFIRMED, Action.PASSWORD_CHANGED} <= recorded


def test_ip_address_is_read_behind_one_trusted_proxy(settings, warga):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    client.post(
        "/akun/login/",
        {"login": warga.email, "password": "salah"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 36.72.10.5",  # the client forged the first hop
    )
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).ip_address == "36.72.10.5"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(warga):
    client = Client(REMOTE_ADDR="36.72.10.9")
    client.post("/akun/login/", {"login": warga.email, "password": "salah"}, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).ip_address == "36.72.10.9"


def test_role_and_object_right_changes_are_recorded(admin, dinas_pupr):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get(name=rights.ROLE_MODERATOR))
    user.groups.remove(Group.objects.get(name=rights.ROLE_MODERATOR))
    assign_perm(rights.WORK_UNIT_PERMISSION, user, dinas_pupr)
    remove_perm(rights.WORK_UNIT_PERMISSION, user, dinas_pupr)
    recorded = actions()
    for action in (Action.ROLE_GRANTED, Action.ROLE_REVOKED, Action.RIGHT_GRANTED, Action.RIGHT_REVOKED):
        assert action in recorded
    granted = AuditEvent.objects.filter(action=Action.RIGHT_GRANTED).latest("id")
    assert granted.object_type == "accounts.WorkUnit" and granted.data["holder_id"] == user.pk


def test_making_an_official_in_admin_records_the_grant_with_the_administrator(client, admin, dinas_pupr):
    official = factories.UserFactory(email="calon@pupr.go.id")
    client.force_login(admin)
    url = reverse("admin:accounts_workunit_change", args=[dinas_pupr.pk])
    response = client.post(
        url,
        {
            "name": dinas_pupr.name, "short_name": dinas_pupr.short_name, "description": "", "contact": "", "is_active": "on",
            "workunitmembership_set-TOTAL_FORMS": "1", "workunitmembership_set-INITIAL_FORMS": "0",
            "workunitmembership_set-MIN_NUM_FORMS": "0", "workunitmembership_set-MAX_NUM_FORMS": "1000",
            "workunitmembership_set-0-user": official.pk, "workunitmembership_set-0-work_unit": dinas_pupr.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rights.acts_for(official, dinas_pupr.pk)
    event = AuditEvent.objects.filter(action=Action.RIGHT_GRANTED).latest("id")
    assert event.actor == admin


def test_audit_events_cannot_be_changed_or_deleted(warga):
    event = AuditEvent.objects.create(action=Action.LOGIN, actor=warga)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_admin_offers_no_way_to_add_change_or_delete_audit_events(client, admin, warga):
    event = AuditEvent.objects.create(action=Action.LOGIN, actor=warga)
    client.force_login(admin)
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    response = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "logout"})
    assert response.status_code in (302, 403)
    event.refresh_from_db()
    assert event.action == Action.LOGIN
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", ["warga", "moderator", "petugas_pupr"])
def test_audit_log_page_is_for_administrators_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/unduh.csv").status_code == 403


def test_anonymous_is_sent_to_login_for_the_audit_log(client):
    assert client.get("/audit/").status_code == 302


def test_audit_log_filters_and_exports_csv(client, admin, warga, warga_lain):
    AuditEvent.objects.create(action=Action.LOGIN, actor=warga, object_type="accounts.User", object_id=str(warga.pk))
    AuditEvent.objects.create(action=Action.LOGIN_FAILED, data={"attempted_email": "x@contoh.id"})
    AuditEvent.objects.create(action=Action.LOGIN, actor=warga_lain)
    client.force_login(admin)
    content = client.get("/audit/", {"actor": warga.email, "action": "login"}).content.decode()
    assert "1 catatan" in content
    response = client.get("/audit/", {"date_from": "2026-12-01", "date_to": "2026-01-01"})
    assert "Tanggal awal harus sebelum tanggal akhir" in response.content.decode()
    assert client.get("/audit/", {"date_from": "bukan-tanggal"}).status_code == 200
    export = client.get("/audit/unduh.csv", {"action": "login", "actor": "contoh.id"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    # Header, then the two citizens' logins and the administrator's own.
    assert rows[0][0] == "waktu" and len(rows) == 4
    assert {row[3] for row in rows[1:]} == {warga.email, warga_lain.email, admin.email}
    assert AuditEvent.objects.filter(action=Action.DATA_EXPORT, actor=admin).exists()


def test_staff_cannot_raise_their_own_rights_in_admin(client, admin, dinas_pupr):
    staff_admin = factories.UserFactory(is_staff=True, roles=[rights.ROLE_ADMIN])
    client.force_login(staff_admin)
    url = reverse("admin:accounts_user_change", args=[staff_admin.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    # Guardian's per-object page refuses a self-grant.
    own = reverse("admin:accounts_workunit_permissions_manage_user", args=[dinas_pupr.pk, staff_admin.pk])
    response = client.post(own, {"permissions": ["act_for_workunit"]})
    assert response.status_code == 403
    assert not WorkUnitMembership.objects.filter(user=staff_admin).exists()
    staff_admin.refresh_from_db()
    assert not staff_admin.is_superuser


def test_staff_cannot_make_themselves_an_official(client, dinas_pupr):
    staff_admin = factories.UserFactory(is_staff=True, roles=[rights.ROLE_ADMIN])
    client.force_login(staff_admin)
    url = reverse("admin:accounts_workunit_change", args=[dinas_pupr.pk])
    response = client.post(
        url,
        {
            "name": dinas_pupr.name, "short_name": dinas_pupr.short_name, "description": "", "contact": "", "is_active": "on",
            "workunitmembership_set-TOTAL_FORMS": "1", "workunitmembership_set-INITIAL_FORMS": "0",
            "workunitmembership_set-MIN_NUM_FORMS": "0", "workunitmembership_set-MAX_NUM_FORMS": "1000",
            "workunitmembership_set-0-user": staff_admin.pk, "workunitmembership_set-0-work_unit": dinas_pupr.pk,
        },
    )
    assert response.status_code == 200
    assert "diri sendiri" in response.content.decode()
    assert not rights.acts_for(staff_admin, dinas_pupr.pk) or rights.is_administrator(staff_admin)
    assert not WorkUnitMembership.objects.filter(user=staff_admin).exists()


def test_administrator_grants_an_object_right_on_guardians_page(client, admin, dinas_pupr):
    official = factories.UserFactory()
    client.force_login(admin)
    url = reverse("admin:accounts_workunit_permissions_manage_user", args=[dinas_pupr.pk, official.pk])
    response = client.post(url, {"permissions": ["act_for_workunit"]})
    assert response.status_code == 302
    assert rights.acts_for(official, dinas_pupr.pk)
    assert AuditEvent.objects.filter(action=Action.RIGHT_GRANTED, actor=admin).exists()


def test_admin_history_shows_what_changed(client, admin, usulan, moderator):
    usulan.title = "Judul sesudah diubah"
    usulan._history_user = moderator
    usulan._change_reason = "Diubah melalui admin"
    usulan.save()
    client.force_login(admin)
    page = client.get(reverse("admin:participation_proposal_history", args=[usulan.pk])).content.decode()
    assert "Judul sesudah diubah" in page and "Diubah melalui admin" in page
    assert moderator.email in page or moderator.full_name in page
    assert "Revert" not in page and "Kembalikan" not in page  # history is read-only


def test_every_domain_model_keeps_history():
    from django.apps import apps

    record_keepers = {"audit.AuditEvent", "notifications.Notification", "notifications.DigestLog"}
    guardian_rows = {"accounts.WorkUnitUserObjectPermission", "accounts.WorkUnitGroupObjectPermission"}  # audited instead
    transient = {"participation.StagedUpload"}  # a form's files until it is sent, then an Attachment (with history)
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "participation", "programs", "consultations", "notifications"}
        and not model.__name__.startswith("Historical")
        and model._meta.label not in record_keepers | guardian_rows | transient
        and not hasattr(model, "history")
    ]
    assert missing == []
