"""Real sessions for the benchmark's logged-in personas (seeded by bench/seed.py).

A session is written with the configured session engine exactly as `login()` leaves it (user id,
backend, session auth hash) and, for staff, with the second factor proven, as after signing in
with an authenticator code. allauth allows 30 logins a minute per address, and the benchmark
asks for a handful of sessions in a second, so the form is not used here; the load test checks
the real form.
"""

from __future__ import annotations

PERSONAS = ("citizen", "moderator", "official")


def session_cookie(manifest: dict, persona: str) -> tuple[str, str]:
    """(cookie name, session key) of a fresh session for the persona."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts import second_factor
    from accounts.models import User

    personas = manifest.get("personas")
    if not personas:
        raise SystemExit("the benchmark database has no personas: seed it again (python -m bench.seed)")
    user = User.objects.get(pk=personas[persona])
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor.required_for(user):
        store[second_factor.SESSION_KEY] = user.pk
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key
