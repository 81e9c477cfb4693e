"""Finding 9 of the security review: simultaneous sign-ups with one email made one account (right)
but answered some requests with a 500 (an IntegrityError from the unique index).

Now the loser gets the answer every sign-up with a taken email gets, and any other unique
conflict no form catches is a 409 with a clear message, never a 500.
"""

import threading

import pytest
from allauth.account.views import SignupView
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from accounts.adapters import AccountAdapter
from accounts.models import User
from participation.admin import CategoryAdmin
from participation.models import Category
from tests import factories
from tests.accounts.test_signup_and_login import SIGNUP, signup_data

EMAIL = "wayan@contoh.id"


def _sequential_duplicate_answer(client) -> str:
    """Where a sign-up with an already registered email is sent (no race involved)."""
    factories.UserFactory(email="sudah@contoh.id")
    answer = client.post(SIGNUP, signup_data(email="sudah@contoh.id"))
    assert answer.status_code == 302
    return answer["Location"]


@pytest.mark.django_db
def test_sign_up_losing_the_race_gets_the_normal_taken_email_answer(client, monkeypatch):
    """Deterministic interleaving: the other sign-up commits after this one's email check passed
    and before its insert, the window in which the review's parallel requests met."""
    normal_answer = _sequential_duplicate_answer(client)
    mail.outbox.clear()
    original_form_valid = SignupView.form_valid

    def competitor_signs_up_first(self, form):
        factories.UserFactory(email=EMAIL, full_name="Pendaftar lain")  # committed by the other request
        return original_form_valid(self, form)

    monkeypatch.setattr(SignupView, "form_valid", competitor_signs_up_first)
    answer = Client().post(SIGNUP, signup_data(email=EMAIL))

    assert answer.status_code == 302 and answer["Location"] == normal_answer
    assert User.objects.filter(email__iexact=EMAIL).count() == 1
    assert User.objects.get(email=EMAIL).full_name == "Pendaftar lain"  # the loser changed nothing
    assert [message.to for message in mail.outbox] == [[EMAIL]]  # "you already have an account"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_unique_conflict_no_form_catches_is_a_409_not_a_500(client, admin, monkeypatch):
    """Two administrators add a category of one name at once: the form's own check passed for
    both; the loser reads a clear message and nothing of theirs is saved."""
    if connection.vendor != "postgresql":
        pytest.skip("the other administrator commits from a second connection")
    original_save = CategoryAdmin.save_model

    def other_admin_saves_first(self, request, obj, form, change):
        def other_admin():
            try:
                factories.CategoryFactory(name=obj.name, slug="kesehatan-lain")
            finally:
                connection.close()

        other = threading.Thread(target=other_admin)
        other.start()
        other.join(timeout=30)
        return original_save(self, request, obj, form, change)

    monkeypatch.setattr(CategoryAdmin, "save_model", other_admin_saves_first)
    client.force_login(admin)
    answer = client.post("/admin/participation/category/add/", {"name": "Kesehatan", "slug": "kesehatan", "description": "", "is_active": "on"})
    assert answer.status_code == 409
    assert "Bertabrakan dengan perubahan lain" in answer.content.decode()
    assert list(Category.objects.filter(name="Kesehatan").values_list("slug", flat=True)) == ["kesehatan-lain"]


def _post_together(requests: list[dict]) -> list:
    """Send each sign-up at once, each from its own thread and database connection."""
    outcomes = [None] * len(requests)

    def run(index, data):
        try:
            outcomes[index] = Client().post(SIGNUP, data)
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, data)) for i, data in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_with_one_email_make_one_account_and_no_error(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent unique index")
    normal_answer = _sequential_duplicate_answer(Client())
    racers = 4
    all_validated = threading.Barrier(racers, timeout=30)
    original_new_user = AccountAdapter.new_user

    def wait_for_the_others(self, request):
        all_validated.wait()
        return original_new_user(self, request)

    monkeypatch.setattr(AccountAdapter, "new_user", wait_for_the_others)
    # Every request waits after its form validated, so all pass the "email still free" check
    # before any inserts: the race the review produced, every time.
    outcomes = _post_together([signup_data(email=EMAIL, full_name=f"Pendaftar {n}") for n in range(racers)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert [o.status_code for o in outcomes] == [302] * racers
    assert {o["Location"] for o in outcomes} == {normal_answer}
    assert User.objects.filter(email__iexact=EMAIL).count() == 1
