"""The benchmark's own pieces that can be wrong without a server: persona sessions and the verdicts."""

import pytest

from bench.report import markdown, meets_target
from bench.sessions import session_cookie


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["warga", "moderator", "petugas_pupr"])
def test_a_persona_session_is_signed_in_on_every_page(client, request, settings, persona):
    settings.STAFF_MFA_REQUIRED = True
    user = request.getfixturevalue(persona)
    name, key = session_cookie({"personas": {"citizen": user.pk}}, "citizen")
    client.cookies[name] = key
    response = client.get("/notifikasi/")
    # Staff with a proven second factor are not sent to enrol or to type a code.
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_database_without_personas_is_refused_with_the_fix():
    with pytest.raises(SystemExit, match="seed it again"):
        session_cookie({}, "citizen")


def _row(mode, ratio, p99, key="home", errors=0):
    return {"mode": mode, "key": key, "label": key, "path": "/", "rps": ratio * 1000, "p50_ms": 1.0, "p99_ms": p99,
            "queries": 1, "cpu_ms": 1.0, "bytes": 10, "ratio": ratio, "errors": errors, "load": 1.0}


def test_cached_pages_need_half_the_ceiling_and_built_pages_a_tenth():
    assert meets_target(_row("cached", 0.5, 10))
    assert not meets_target(_row("cached", 0.3, 10))
    assert meets_target(_row("citizen", 0.1, 99))
    assert not meets_target(_row("citizen", 0.1, 100))
    assert not meets_target(_row("miss", 0.09, 10))
    assert not meets_target(_row("miss", 0.5, 10, errors=3))


def test_the_report_has_a_table_per_mode_and_a_summary_that_flags_misses():
    ceiling = {**_row("ceiling", 1.0, 5, key="ceiling"), "label": "Ceiling"}
    report = {
        "generated_at": "now",
        "hardware": {"cores": 2, "cpu": "x", "memory_gib": 1, "python": "3.11"},
        "postgresql": "15",
        "load_average": {"before": [1.0, 1.0, 1.0], "after": [2.0, 1.0, 1.0]},
        "modes": ["cached", "citizen"],
        "settings": {"connections": 8, "wrk_threads": 1, "duration_s": 5, "gunicorn_workers": 3, "worker_class": "sync"},
        "seed": {"scale": 1, "seconds": 20, "counts": {k: 1 for k in ("users", "proposals", "supports", "comments", "hot_comments", "programs", "consultations", "responses")}},
        "pages": [ceiling, _row("cached", 0.6, 8), _row("citizen", 0.05, 150)],
        "workers_memory_kib": {"after_pages": {1: {"VmHWM": 102400, "VmRSS": 51200}}},
        "export": None,
    }
    text = markdown(report)
    assert "**anonymous, page cache**" in text and "**citizen (logged in)**" in text
    assert "| home | 0.60 / 8 | 0.05 / 150 ✗ |" in text
    assert "before the run [1.0, 1.0, 1.0]" in text
