"""Every page loads in Chromium under the Content-Security-Policy without a single violation.

Public pages signed out, a citizen's pages, the moderator's and the official's, every page
without URL arguments that the site has (the workspace, musrenbang and whatever comes next, found
by walking the URL configuration) and every admin screen of every registered model (list, add,
change, history), as a superuser. A violation is caught twice: by a `securitypolicyviolation`
listener installed before any page script runs, and by Chromium's console report.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.browser import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def violations(page, targets: dict[str, str]) -> list[str]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None)
    page.add_init_script(LISTEN)
    found = []
    for name, path in targets.items():
        console.clear()
        response = page.goto(path)
        assert response is not None and response.status < 500, f"{name} ({path}) answered {response and response.status}"
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or ""), f"{name} ({path}) has no CSP"
        page.wait_for_load_state("load")
        for violation in page.evaluate("window.__cspViolations") + console:
            found.append(f"{name} ({path}): {violation}")
    return found


def html_pages_without_arguments(user) -> dict[str, str]:
    """Every named page of the site that takes no URL argument and answers the user with HTML."""
    client = Client()
    client.force_login(user)
    found = {}

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue  # walked model by model below
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
                name = f"{namespace}{entry.name}"
                if "logout" in name:
                    continue
                try:
                    path = reverse(name)
                except Exception:  # noqa: BLE001 - patterns with optional arguments
                    continue
                response = client.get(path)
                if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                    found[name] = path

    walk(get_resolver().url_patterns)
    return found


def admin_screens() -> dict[str, str]:
    """List, add, change and history screen of every registered model (first object where there is one)."""
    screens = {"admin: beranda": reverse("admin:index")}
    for model, model_admin in admin.site._registry.items():
        label = f"admin {model._meta.label_lower}"
        info = (model._meta.app_label, model._meta.model_name)
        screens[f"{label} daftar"] = reverse("admin:%s_%s_changelist" % info)
        screens[f"{label} tambah"] = reverse("admin:%s_%s_add" % info)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            screens[f"{label} ubah"] = reverse("admin:%s_%s_change" % info, args=[first.pk])
            screens[f"{label} riwayat"] = reverse("admin:%s_%s_history" % info, args=[first.pk])
            if hasattr(model_admin, "obj_perms_manage_view"):
                screens[f"{label} hak objek"] = reverse("admin:%s_%s_permissions" % info, args=[first.pk])
    return screens


def test_public_and_citizen_pages(new_page, showcase, warga_lain):
    found = violations(new_page(), pages.public_pages(showcase))
    citizen = new_page(user=warga_lain)
    found += violations(citizen, pages.citizen_pages(showcase))
    # The only script on the site: similar proposals appear while a title is typed.
    citizen.goto("/usulan/baru/")
    with citizen.expect_response(lambda response: "/usulan/mirip/" in response.url):
        citizen.get_by_label("Judul").fill("Perbaikan jalan Dusun Krajan")
    citizen.locator("#usulan-serupa").get_by_role("link").first.wait_for()
    found += [f"usulan baru (mengetik judul): {v}" for v in citizen.evaluate("window.__cspViolations")]
    assert not found, "\n".join(found)


def admin_lists_of(user) -> dict[str, str]:
    """The admin lists a staff member may open: without bulk actions they are drawn differently."""
    return {
        f"admin {model._meta.label_lower} daftar": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    }


def test_staff_pages(new_page, showcase, moderator, petugas_pupr):
    found = violations(new_page(user=moderator), {**pages.moderator_pages(showcase), **admin_lists_of(moderator)})
    found += violations(new_page(user=petugas_pupr), pages.official_pages(showcase))
    assert not found, "\n".join(found)


def test_every_page_without_arguments_and_every_admin_screen(new_page, showcase, admin):
    targets = {**html_pages_without_arguments(admin), **admin_screens()}
    assert len(targets) > 60, sorted(targets)
    found = violations(new_page(user=admin), targets)
    assert not found, "\n".join(found)
