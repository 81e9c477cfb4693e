"""axe-core on every public page and the main forms, signed out and signed in.

axe-core comes from npm (node_modules/axe-core, pinned in package-lock.json; never a CDN) and is
injected into each loaded page. A violation of impact "serious" or "critical" fails the test; the
full results, minor and moderate ones included, are written to artifacts/browser/axe/<who>.json.
"""

import json

import pytest

from tests.browser import pages
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAILING_IMPACTS = {"serious", "critical"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def audit(page, axe_script, targets: dict[str, str], report_name: str) -> list[str]:
    """Run axe on each page; return one line per serious/critical violation."""
    report, failures = {}, []
    for name, path in targets.items():
        response = page.goto(path)
        assert response.ok, f"{name} ({path}) answered {response.status}"
        page.add_script_tag(path=str(axe_script))
        violations = page.evaluate(RUN_AXE)
        report[f"{name} {path}"] = violations
        for violation in violations:
            if violation["impact"] in FAILING_IMPACTS:
                where = "; ".join(node["target"] for node in violation["nodes"])
                failures.append(f"{name} ({path}): {violation['impact']} {violation['id']}: {violation['help']} at {where}")
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{report_name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return failures


def test_public_pages_signed_out(new_page, axe_script, showcase):
    failures = audit(new_page(bypass_csp=True), axe_script, pages.public_pages(showcase), "anonim")
    assert not failures, "\n".join(failures)


def test_public_pages_and_forms_signed_in_as_a_citizen(new_page, axe_script, showcase, warga_lain):
    targets = {**pages.public_pages(showcase), **pages.citizen_pages(showcase)}
    for signed_out_only in ("masuk", "daftar akun", "lupa sandi"):
        targets.pop(signed_out_only)
    failures = audit(new_page(user=warga_lain, bypass_csp=True), axe_script, targets, "warga")
    assert not failures, "\n".join(failures)


def test_staff_pages(new_page, axe_script, showcase, moderator, petugas_pupr):
    failures = audit(new_page(user=moderator, bypass_csp=True), axe_script, pages.moderator_pages(showcase), "moderator")
    failures += audit(new_page(user=petugas_pupr, bypass_csp=True), axe_script, pages.official_pages(showcase), "petugas")
    assert not failures, "\n".join(failures)
