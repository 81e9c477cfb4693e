"""The Kubernetes manifests render (kustomize) and validate against the Kubernetes schemas, offline.

kubectl's built-in kustomize renders each overlay; kubernetes-validate (a test dependency, with the
schemas inside the package) checks every object strictly, for the oldest Kubernetes release we
support and the newest it knows. Then the tests read what an operator relies on.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
OVERLAYS = ["production", "staging"]
KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]


def _kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("kubectl (with its built-in kustomize) is needed to render deploy/kubernetes")
        pytest.skip("kubectl is not installed: the manifests cannot be rendered here")
    return found


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request, tmp_path_factory):
    """Every object of one overlay, rendered from a copy whose secret.env is the example file."""
    copy = tmp_path_factory.mktemp("kubernetes") / "kubernetes"
    shutil.copytree(MANIFESTS, copy, ignore=shutil.ignore_patterns("secret.env"))
    overlay = copy / "overlays" / request.param
    shutil.copy(overlay / "secret.env.example", overlay / "secret.env")
    result = subprocess.run([_kubectl(), "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    objects = [document for document in yaml.safe_load_all(result.stdout) if document]
    return {"overlay": request.param, "objects": objects}


def find(rendered, kind, name=None):
    matches = [o for o in rendered["objects"] if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert matches, f"no {kind} {name or ''} in overlay {rendered['overlay']}"
    return matches if name is None else matches[0]


def pod_specs(rendered):
    for o in rendered["objects"]:
        if o["kind"] in ("Deployment", "Job"):
            yield o, o["spec"]["template"]["spec"]
        elif o["kind"] == "CronJob":
            yield o, o["spec"]["jobTemplate"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_kubernetes_schema(rendered, version):
    import kubernetes_validate

    for document in rendered["objects"]:
        kubernetes_validate.validate(document, version, strict=True)  # raises on any error


def test_web_runs_several_probed_pods_that_are_never_all_down(rendered):
    web = find(rendered, "Deployment", "portal-web")
    assert web["spec"]["replicas"] >= 2
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0  # no gap during a rollout
    container = web["spec"]["template"]["spec"]["containers"][0]
    host = find(rendered, "ConfigMap")[0]["data"]["PORTAL_HOST"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz?ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz?live"  # never restarted for a database outage
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["httpHeaders"] == [{"name": "Host", "value": host}]
    pdb = find(rendered, "PodDisruptionBudget", "portal-web")
    assert pdb["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    hpa = find(rendered, "HorizontalPodAutoscaler", "portal-web")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "portal-web"
    assert hpa["spec"]["minReplicas"] == web["spec"]["replicas"]


def test_worker_schedules_and_migration_are_there(rendered):
    commands = {o["metadata"]["name"]: " ".join(spec["containers"][0]["args"]) for o, spec in pod_specs(rendered)}
    assert "manage.py db_worker" in commands["portal-worker"]
    assert "manage.py notify_consultation_deadlines" in commands["portal-consultation-deadlines"]
    assert "manage.py send_digests" in commands["portal-digests"]
    assert "manage.py clean_staged_uploads" in commands["portal-staged-uploads-cleanup"]
    # `migrate` is the whole database set-up (the cache table is a migration): no second command.
    assert commands["portal-migrate"] == "python manage.py migrate --noinput"
    assert commands["portal-web"].startswith("gunicorn -c config/gunicorn.py")
    for cronjob in find(rendered, "CronJob"):
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_container_has_requests_limits_settings_and_runs_unprivileged(rendered):
    config = find(rendered, "ConfigMap")[0]["metadata"]["name"]
    secret = find(rendered, "Secret")[0]["metadata"]["name"]
    for owner, spec in pod_specs(rendered):
        assert spec["securityContext"]["runAsNonRoot"] is True, owner["metadata"]["name"]
        for container in spec["containers"]:
            assert set(container["resources"]) == {"requests", "limits"}, owner["metadata"]["name"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert "memory" in container["resources"]["limits"]
            sources = [next(iter(s.values()))["name"] for s in container["envFrom"]]
            assert sources == [config, secret]
            assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_metrics_are_scraped_on_the_internal_port_only(rendered):
    data = find(rendered, "ConfigMap")[0]["data"]
    web = find(rendered, "Deployment", "portal-web")
    annotations = web["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == data["METRICS_PORT"]
    assert annotations["prometheus.io/path"] == "/metrics"
    ports = {p["name"]: p["containerPort"] for p in web["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert ports == {"http": int(data["PORT"]), "metrics": int(data["METRICS_PORT"])}
    service = find(rendered, "Service", "portal-web")
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]  # nor through the Ingress


def test_ingress_serves_the_host_over_tls(rendered):
    data = find(rendered, "ConfigMap")[0]["data"]
    ingress = find(rendered, "Ingress", "portal-web")
    assert ingress["spec"]["tls"][0]["hosts"] == [data["PORTAL_HOST"]]
    assert ingress["spec"]["rules"][0]["host"] == data["PORTAL_HOST"]
    assert data["ALLOWED_HOSTS"] == data["PORTAL_HOST"]
    assert data["CSRF_TRUSTED_ORIGINS"] == data["PORTAL_BASE_URL"] == f"https://{data['PORTAL_HOST']}"
    assert not any("PORTAL_HOST" in yaml.safe_dump(o) for o in rendered["objects"] if o["kind"] != "ConfigMap")


def test_every_setting_in_the_manifests_is_one_the_portal_reads(rendered):
    """A misspelt variable would be silently ignored: each key must appear in the settings or gunicorn's."""
    sources = "".join((ROOT / path).read_text() for path in ("config/settings.py", "config/gunicorn.py", "config/storage.py"))
    read = set(re.findall(r'env(?:_int|_bool|_list)?\("([A-Z_]+)"', sources)) | set(re.findall(r'environ\.get\("([A-Z_]+)"', sources))
    read.add("PORTAL_HOST")  # the overlay's one host name, copied into the others by components/portal-host
    data = find(rendered, "ConfigMap")[0]["data"]
    secret_keys = {
        line.split("=", 1)[0]
        for line in (MANIFESTS / "overlays" / rendered["overlay"] / "secret.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert set(data) | secret_keys <= read, sorted((set(data) | secret_keys) - read)
