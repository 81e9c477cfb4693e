"""Django admin is scoped by the site's rights: a walk through every registered model admin.

For each staff role (moderator, official of Dinas PUPR, official of Disdikbud) the walk opens every
model admin's change list, its search, every filter choice, every autocomplete that lists it, and
each object's change, history and delete pages. The world below says, object by object, who may
see it; an object nobody listed for a role must not appear anywhere that role goes: not its
change link, not its text (each carries a unique marker), not its id in an autocomplete answer.
"""

import json
import re
from dataclasses import dataclass, field
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.scoped_admin import ScopedAdminMixin
from audit.models import AuditEvent
from consultations.models import Consultation, Response, ResponseReply
from notifications.models import Notification
from participation import services as participation
from participation.models import Flag, Routing
from programs import services as programs
from programs.models import Phase
from tests import factories

ROLES = ("moderator", "petugas_pupr", "petugas_dikbud")
MODERATOR, PUPR, DIKBUD = ({"moderator"}, {"petugas_pupr"}, {"petugas_dikbud"})
STAFF = set(ROLES)
NOBODY: set = set()


@dataclass
class Seen:
    obj: object
    roles: set
    marker: str = ""


@dataclass
class World:
    users: dict
    objects: list = field(default_factory=list)

    def add(self, obj, roles, marker=""):
        self.objects.append(Seen(obj, set(roles), marker))
        return obj

    def hidden_from(self, role):
        return [seen for seen in self.objects if role not in seen.roles]

    def visible_to(self, role):
        return [seen for seen in self.objects if role in seen.roles]


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def world(db, moderator, petugas_pupr, petugas_dikbud, warga, warga_lain, dinas_pupr, dinas_dikbud, kategori, desa, admin):
    w = World(users={"moderator": moderator, "petugas_pupr": petugas_pupr, "petugas_dikbud": petugas_dikbud})
    units = {"pupr": (dinas_pupr, PUPR, petugas_pupr), "dikbud": (dinas_dikbud, DIKBUD, petugas_dikbud)}
    for key, (unit, officials, official) in units.items():

        def proposal(status, roles, hidden=False, tag=""):
            marker = f"USULAN-{key}-{status}{tag}-X"
            extra = {} if status in ("published", "declined") else {"published_at": None}
            if status == "rejected":
                extra["rejection_reason"] = "Tidak sesuai aturan"
            if status == "declined":
                extra.update(official_answer="Belum dapat dianggarkan")
            made = factories.ProposalFactory(
                title=marker, description=f"uraian {marker}", author=warga, work_unit=unit, category=kategori,
                region=desa, status=status, is_hidden=hidden, **extra,
            )
            return w.add(made, roles, marker)

        proposal("draft", NOBODY)
        proposal("rejected", NOBODY)
        proposal("withdrawn", NOBODY)
        proposal("submitted", MODERATOR | officials)
        proposal("declined", MODERATOR | officials)
        proposal("published", MODERATOR, hidden=True, tag="hidden")
        published = proposal("published", MODERATOR | officials)

        comment = participation.post_comment(actor=warga_lain, target=published, body=f"KOMENTAR-{key}-X")
        w.add(comment, MODERATOR, comment.body)
        w.add(participation.flag_content(actor=warga_lain, target=published, reason="spam"), MODERATOR)

        program = programs.create_program(
            actor=official,
            data={"title": f"PROGRAM-{key}-X", "description": "Isi", "work_unit": unit, "category": kategori,
                  "region": desa, "budget": 1_000_000, "fiscal_year": 2026},
            proposals=[factories.ProposalFactory(
                title=f"USULAN-{key}-accepted-X", author=warga, work_unit=unit, category=kategori, region=desa,
            )],
        )
        # Programs are public records (an accepted proposal's history names its program), so only
        # the program's admin pages are checked, not its title.
        w.add(program, officials)
        w.objects.append(Seen(program.source_proposals.get(), MODERATOR | officials, f"USULAN-{key}-accepted-X"))
        planning = programs.start_phase(actor=official, phase=Phase.objects.get(program=program, kind="perencanaan"))
        update = programs.post_update(actor=official, phase=planning, date=planning.actual_start, body=f"KABAR-{key}-X")
        w.add(update, officials, update.body)

        # A published consultation's title is public (a moderator reads it beside the responses to
        # hide), so only its admin pages are checked, not its text.
        open_one = w.add(_consultation(unit, kategori, f"UJI-{key}-terbit-X", published=True), officials)
        w.add(_consultation(unit, kategori, f"UJI-{key}-draf-X", published=False), officials, f"UJI-{key}-draf-X")
        answer = Response.objects.create(consultation=open_one, author=warga_lain, position="setuju", comment=f"TANGGAPAN-{key}-X")
        w.add(answer, MODERATOR | officials, answer.comment)
        ResponseReply.objects.create(response=answer, work_unit=unit, author=official, body=f"BALASAN-{key}-X")

    routed = next(seen.obj for seen in w.objects if getattr(seen.obj, "title", "") == "USULAN-pupr-submitted-X")
    w.add(participation.route_proposal(actor=moderator, proposal=routed, to_unit=dinas_dikbud, note="RUTE-X"), MODERATOR)
    # Routed to Disdikbud now: its officials see it, PUPR's no longer do.
    for seen in w.objects:
        if seen.obj == routed:
            seen.roles = MODERATOR | DIKBUD

    # Reference data every staff role reads; people, roles and logs are for administrators only.
    w.add(kategori, STAFF)
    w.add(desa, STAFF)
    w.add(dinas_pupr, STAFF)
    w.add(warga, NOBODY)
    w.add(EmailAddress.objects.get(user=warga), NOBODY)
    w.add(Group.objects.get(name="Moderator"), NOBODY)
    w.add(AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, object_repr="AUDIT-X"), NOBODY, "AUDIT-X")
    w.add(Notification.objects.create(recipient=warga, kind="answered", message="NOTIF-X", url="/"), NOBODY, "NOTIF-X")
    return w


def _consultation(unit, category, title, *, published):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    return Consultation.objects.create(
        title=title, summary="Ringkasan", body="Isi", work_unit=unit, category=category, opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7), is_published=published, published_at=now if published else None,
    )


def _assert_nothing_hidden_shows(page: str, hidden, where: str, *, links=True):
    for seen in hidden:
        assert not links or change_url(seen.obj) not in page, f"{where}: link to {seen.obj._meta.label} {seen.obj.pk}"
        if seen.marker:
            assert seen.marker not in page, f"{where}: text of {seen.obj._meta.label} {seen.marker}"


def _filter_links(page: str) -> list[str]:
    sidebar = page.split('id="changelist-filter"', 1)
    if len(sidebar) < 2:
        return []
    return sorted({unescape(href) for href in re.findall(r'href="(\?[^"]*)"', sidebar[1].split("</nav>", 1)[0])})


def _autocomplete_sources():
    """Every (source model, relation field) pointing at a registered admin that can be searched."""
    for model in admin.site._registry:
        for relation in model._meta.get_fields():
            if not (relation.is_relation and relation.concrete and relation.remote_field):
                continue
            remote = relation.remote_field.model
            if remote in admin.site._registry and admin.site._registry[remote].search_fields:
                yield model, relation.name, remote


def test_every_model_admin_uses_the_scoping_mixin():
    assert admin.site._registry
    assert all(isinstance(model_admin, ScopedAdminMixin) for model_admin in admin.site._registry.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_staff_see_nothing_outside_their_scope_in_any_admin_page(world, role):
    client = Client()
    client.force_login(world.users[role])
    hidden = world.hidden_from(role)
    visible = world.visible_to(role)

    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code in (200, 403), f"{changelist}: {response.status_code}"
        page = response.content.decode()
        _assert_nothing_hidden_shows(page, hidden, changelist)
        if response.status_code == 200:
            for seen in visible:
                if seen.obj._meta.model is model:
                    assert change_url(seen.obj) in page, f"{role} should see {opts.label} {seen.obj.pk} in {changelist}"
            if model_admin.search_fields:
                # A word every marker holds: a scoped search still finds nothing outside the scope.
                searched = client.get(changelist, {"q": "X"}).content.decode()
                _assert_nothing_hidden_shows(searched, hidden, f"{changelist}?q=X")
            for query in _filter_links(page):
                filtered = client.get(changelist + query)
                assert filtered.status_code == 200, f"{changelist}{query}: {filtered.status_code}"
                _assert_nothing_hidden_shows(filtered.content.decode(), hidden, changelist + query)

    for source, field_name, remote in _autocomplete_sources():
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field_name, "term": ""},
        )
        assert response.status_code in (200, 403, 404)
        if response.status_code == 200:
            ids = {str(result["id"]) for result in json.loads(response.content)["results"]}
            for seen in hidden:
                if isinstance(seen.obj, remote):
                    assert str(seen.obj.pk) not in ids, f"autocomplete {source._meta.label}.{field_name}: {seen.obj.pk}"
            _assert_nothing_hidden_shows(response.content.decode(), hidden, f"autocomplete {field_name}")

    for seen in hidden:
        obj = seen.obj
        if type(obj) not in admin.site._registry:
            continue
        base = change_url(obj).rsplit("change/", 1)[0]
        for url in (base + "change/", base + "history/", base + "delete/"):
            response = client.get(url)
            assert response.status_code in (403, 404), f"{role} opened {url}: {response.status_code}"
            # The error page's language switch repeats the requested address; the text must not leak.
            _assert_nothing_hidden_shows(response.content.decode(), hidden, url, links=False)
        version = obj.history.first() if hasattr(obj, "history") else None
        if version is not None:
            response = client.get(f"{base}history/{version.history_id}/")
            assert response.status_code in (403, 404), f"{role} opened a past version of {obj._meta.label} {obj.pk}"
        client.post(base + "delete/", {"post": "yes"})
        assert type(obj)._default_manager.filter(pk=obj.pk).exists(), f"{role} deleted {obj._meta.label} {obj.pk}"

    for seen in visible:
        obj = seen.obj
        if type(obj) not in admin.site._registry:
            continue
        response = client.get(change_url(obj))
        assert response.status_code == 200, f"{role} could not open {change_url(obj)}"
        _assert_nothing_hidden_shows(response.content.decode(), hidden, change_url(obj))
        history = client.get(change_url(obj).rsplit("change/", 1)[0] + "history/")
        assert history.status_code == 200
        _assert_nothing_hidden_shows(history.content.decode(), hidden, "history")


@pytest.mark.django_db
def test_official_cannot_post_an_edit_to_another_units_consultation(world, caplog):
    official = world.users["petugas_dikbud"]
    theirs = Consultation.objects.get(title="UJI-pupr-draf-X")
    client = Client()
    client.force_login(official)
    with caplog.at_level("WARNING", logger="portal.security"):
        response = client.post(change_url(theirs), {"title": "Dibajak", "summary": "x", "body": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "UJI-pupr-draf-X"
    refusals = [r for r in caplog.records if r.name == "portal.security" and r.getMessage() == "permission denied"]
    assert len(refusals) == 1
    refusal = refusals[0]
    assert refusal.levelname == "WARNING"
    assert (refusal.actor_id, refusal.refused_action) == (official.pk, "admin_change")
    assert (refusal.object_type, refusal.object_id) == ("consultations.Consultation", str(theirs.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_opening_another_units_object_in_admin_is_a_security_event(world, caplog, view):
    official = world.users["petugas_pupr"]
    program = next(seen.obj for seen in world.objects if getattr(seen.obj, "title", "") == "PROGRAM-dikbud-X")
    client = Client()
    client.force_login(official)
    with caplog.at_level("WARNING", logger="portal.security"):
        response = client.get(change_url(program).replace("change/", f"{view}/"))
    assert response.status_code == 404
    refusal = next(r for r in caplog.records if r.getMessage() == "permission denied")
    expected_action = {"change": "admin_view", "history": "admin_history", "delete": "admin_delete"}[view]
    assert (refusal.levelname, refusal.actor_id, refusal.refused_action) == ("WARNING", official.pk, expected_action)
    assert (refusal.object_type, refusal.object_id) == ("programs.Program", str(program.pk))


@pytest.mark.django_db
def test_a_missing_object_and_an_out_of_scope_one_look_alike_but_only_the_real_one_is_logged(world, caplog):
    client = Client()
    client.force_login(world.users["petugas_pupr"])
    with caplog.at_level("WARNING", logger="portal.security"):
        missing = client.get(reverse("admin:programs_program_change", args=[999_999]))
    assert missing.status_code == 404
    assert not [r for r in caplog.records if r.getMessage() == "permission denied"]


@pytest.mark.django_db
def test_refused_site_action_logs_actor_object_and_action_through_the_same_function(world, caplog):
    official = world.users["petugas_dikbud"]
    proposal = next(seen.obj for seen in world.objects if getattr(seen.obj, "title", "") == "USULAN-pupr-published-X")
    client = Client()
    client.force_login(official)
    with caplog.at_level("WARNING", logger="portal.security"):
        response = client.post(f"/usulan/{proposal.pk}/jawab/", {"answer": "Bukan urusan kami"})
    assert response.status_code == 403
    refusal = next(r for r in caplog.records if r.getMessage() == "permission denied")
    assert (refusal.actor_id, refusal.refused_action) == (official.pk, "answer")
    assert (refusal.object_type, refusal.object_id) == ("participation.Proposal", str(proposal.pk))


@pytest.mark.django_db
def test_selecting_another_units_rows_for_an_admin_action_is_refused_and_logged(world, caplog):
    official = world.users["petugas_pupr"]
    program = next(seen.obj for seen in world.objects if getattr(seen.obj, "title", "") == "PROGRAM-dikbud-X")
    client = Client()
    client.force_login(official)
    with caplog.at_level("WARNING", logger="portal.security"):
        client.post(reverse("admin:programs_program_changelist"), {"action": "complete_running_phase", "_selected_action": [program.pk]})
    assert Phase.objects.get(program=program, kind="perencanaan").status == "running"
    refusal = next(r for r in caplog.records if r.getMessage() == "permission denied")
    assert (refusal.actor_id, refusal.refused_action) == (official.pk, "admin_action:complete_running_phase")
    assert refusal.object_id == str(program.pk)


@pytest.mark.django_db
def test_proposal_change_page_links_to_the_site_actions_of_the_official(world):
    official = world.users["petugas_pupr"]
    proposal = next(seen.obj for seen in world.objects if getattr(seen.obj, "title", "") == "USULAN-pupr-published-X")
    client = Client()
    client.force_login(official)
    page = client.get(change_url(proposal)).content.decode()
    assert f'href="/usulan/{proposal.pk}/#jawab"' in page
    assert f'href="/usulan/{proposal.pk}/#disposisi"' in page
    client.force_login(world.users["moderator"])
    page = client.get(change_url(proposal)).content.decode()
    assert f'href="/usulan/{proposal.pk}/#jawab"' not in page
    assert f'href="/usulan/{proposal.pk}/#disposisi"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_scoped_change_list_runs_a_fixed_number_of_queries(world, role, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.users[role])
    with django_assert_max_num_queries(20):
        client.get(reverse("admin:participation_proposal_changelist"))
