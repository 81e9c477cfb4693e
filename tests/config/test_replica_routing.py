"""Which database a request reads from (config/replicas.py), decided without a live replica.

A stand-in replica alias is made healthy by replacing the connection check; the live run with a
real connection is in test_metrics_and_replicas.py, and a real streaming replica in make loadtest.
"""

import time

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from config import replicas
from participation.models import Proposal


@pytest.fixture
def one_replica(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica_1"])
    monkeypatch.setattr(replicas, "_healthy_replica", lambda: "replica_1")


def serve(path, *, method="get", cookies=None, view=None):
    """Run a request through the routing middleware; `view` runs inside it and its answer is returned."""
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    seen = {}

    def get_response(request):
        middleware.process_view(request, None, (), {})
        seen["read"] = replicas.ReplicaRouter().db_for_read(Proposal)
        if view:
            view()
            seen["after"] = replicas.ReplicaRouter().db_for_read(Proposal)
        return HttpResponse()

    middleware = replicas.ReplicaRoutingMiddleware(get_response)
    response = middleware(request)
    return seen, response


@pytest.mark.parametrize("path", ["/", "/usulan/", "/program/", "/uji-publik/", "/statistik/", "/data/", "/data/feed/usulan/"])
def test_public_pages_read_from_the_replica(one_replica, path):
    seen, response = serve(path)
    assert seen["read"] == "replica_1"
    assert replicas.PIN_COOKIE not in response.cookies  # reading pins nobody


@pytest.mark.parametrize("path", ["/usulan/saya/", "/usulan/baru/", "/akun/profil/", "/moderasi/"])
def test_personal_and_staff_pages_read_the_primary(one_replica, path):
    assert serve(path)[0]["read"] == "default"


def test_a_post_reads_and_writes_the_primary_and_pins_the_browser(one_replica):
    seen, response = serve("/usulan/", method="post", view=lambda: replicas.ReplicaRouter().db_for_write(Proposal))
    assert seen["read"] == "default"
    pin = response.cookies[replicas.PIN_COOKIE]
    assert pin["max-age"] == 5 and pin["httponly"]
    assert time.time() + 4 < float(pin.value) <= time.time() + 6  # whole seconds


def test_a_pinned_browser_reads_the_primary_until_the_pin_expires(one_replica):
    soon = {replicas.PIN_COOKIE: str(time.time() + 4)}
    assert serve("/usulan/", cookies=soon)[0]["read"] == "default"
    expired = {replicas.PIN_COOKIE: str(time.time() - 1)}
    assert serve("/usulan/", cookies=expired)[0]["read"] == "replica_1"
    assert serve("/usulan/", cookies={replicas.PIN_COOKIE: "rubbish"})[0]["read"] == "replica_1"


def test_once_a_request_wrote_the_rest_of_it_reads_the_primary(one_replica):
    seen, response = serve("/usulan/", view=lambda: replicas.ReplicaRouter().db_for_write(Proposal))
    assert seen["read"] == "replica_1" and seen["after"] == "default"
    assert replicas.PIN_COOKIE in response.cookies


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(one_replica):
    def inside_a_transaction():
        with transaction.atomic():
            assert replicas.ReplicaRouter().db_for_read(Proposal) == "default"

    serve("/usulan/", view=inside_a_transaction)


def test_without_a_request_everything_reads_the_primary():
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Proposal) == "default" and router.db_for_write(Proposal) == "default"
    assert router.allow_migrate("replica_1", "participation") is False
    assert router.allow_migrate("default", "participation") is True


def test_every_public_view_name_exists():
    for name in replicas.PUBLIC_READ_VIEWS:
        kwargs = {"pk": 1} if name.endswith(("_detail", "_history", ":detail", ":history", "feed_program")) else {}
        if name == "transparency:data_export":
            kwargs = {"dataset": "usulan", "fmt": "csv"}
        if name.startswith("musrenbang:") and name != "musrenbang:cycles":
            kwargs = {"year": 2028, **({"pk": 1} if name == "musrenbang:forum" else {})}
        assert reverse(name, kwargs=kwargs)


def test_who_is_asking_is_read_from_the_primary_even_on_public_pages(one_replica):
    from django.contrib.sessions.models import Session

    from accounts.models import User

    def reads():
        router = replicas.ReplicaRouter()
        assert router.db_for_read(Session) == "default" and router.db_for_read(User) == "default"

    assert serve("/usulan/", view=reads)[0]["read"] == "replica_1"


def test_the_database_cache_lives_on_the_primary_and_filling_it_pins_nobody(one_replica):
    from django.core.cache.backends.db import DatabaseCache

    entry = DatabaseCache("portal_cache", {}).cache_model_class

    def fill_the_cache():
        router = replicas.ReplicaRouter()
        assert router.db_for_read(entry) == "default" and router.db_for_write(entry) == "default"

    seen, response = serve("/usulan/", view=fill_the_cache)
    assert seen["after"] == "replica_1"  # the page itself still reads the replica
    assert replicas.PIN_COOKIE not in response.cookies
