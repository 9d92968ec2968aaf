"""The deployment files of deploy/: valid against their schemas, and consistent.

Nothing here needs Docker, a cluster or the network: the Kubernetes documents are
checked with kubernetes-validate's schemas (shipped inside the package, strict mode,
Kubernetes ``K8S_VERSION``), the compose file with the vendored compose-spec schema
(Draft 2020-12), and deploy/haproxy.cfg with ``haproxy -c`` when the binary exists.
The consistency tests compare the files with each other and with the one source of
settings, ``.env.production.example``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from dotenv import dotenv_values

from bot.settings import SECRETS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
HAPROXY_CFG = DEPLOY / "haproxy.cfg"

# The oldest Kubernetes these manifests are meant for; its schemas ship with
# kubernetes-validate (requirements/actions.lock), so nothing is downloaded.
K8S_VERSION = "1.30.0"
NAMESPACE = "sesame"

# The processes of production mode, by the name they have in both deployments.
SESAME_SERVERS = ("rasa", "actions", "web")
SESAME_PROCESSES = (*SESAME_SERVERS, "mail-worker", "migrate")
# The paths each server answers its health checks on (Rasa's "Hello from Rasa",
# actions/server.py's open /health, bot/web's /sante that checks the member database).
HEALTH_PATHS = {"rasa": "/", "actions": "/health", "web": "/sante"}
# Environment variables that are not Sésame settings, each for a stated reason.
EXTRA_ENV = {
    "SANIC_REQUEST_MAX_SIZE",  # Rasa's Sanic: bodies over 64 KB refused (Procfile)
    "PGPASSWORD",  # PostgreSQL's password, read by libpq, kept out of the URLs
    "SESAME_DNS_SUFFIX",  # haproxy.cfg: full DNS names of the replicas on Kubernetes
}
# What every placeholder secret says; anything else in a secret's place is suspect.
PLACEHOLDER = "A-REMPLACER"


# --- loading ------------------------------------------------------------------------------


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@cache
def kubernetes_documents() -> tuple[tuple[str, dict[str, Any]], ...]:
    """``(file name, document)`` for every Kubernetes object under deploy/kubernetes/."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found.extend((path.name, doc) for doc in _documents(path))
    return tuple(found)


def objects(kind: str) -> dict[str, dict[str, Any]]:
    """The Kubernetes objects of one kind, by name."""
    return {doc["metadata"]["name"]: doc for _, doc in kubernetes_documents() if doc["kind"] == kind}


def workloads() -> Iterator[tuple[str, dict[str, Any]]]:
    """``(name, pod spec)`` of every Deployment and Job."""
    for kind in ("Deployment", "Job"):
        for name, doc in objects(kind).items():
            yield name, doc["spec"]["template"]["spec"]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def sesame_workloads() -> dict[str, dict[str, Any]]:
    """The pod specs of Sésame's own processes, by process name (the migration Job included)."""
    found = {name: pod for name, pod in workloads() if name in SESAME_PROCESSES}
    found["migrate"] = objects("Job")["sesame-migrate"]["spec"]["template"]["spec"]
    return found


@cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose()["services"]
    return services


@cache
def production_settings() -> dict[str, str]:
    """``.env.production.example``: the one list of settings of production mode."""
    values = dotenv_values(ROOT / ".env.production.example")
    return {name: value or "" for name, value in values.items()}


def secret_names() -> set[str]:
    return set(production_settings()) & SECRETS


def plain_names() -> set[str]:
    return set(production_settings()) - SECRETS


def example_secrets() -> dict[str, str]:
    return {name: value or "" for name, value in dotenv_values(DEPLOY / "secrets.env.example").items()}


@cache
def haproxy_sections() -> dict[str, list[str]]:
    """``"backend rasa": [its lines]`` for every section of deploy/haproxy.cfg, comments left out."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in HAPROXY_CFG.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("log-format") else raw.strip()
        if not line:
            continue
        if not raw[0].isspace():
            current = sections.setdefault(line, [])
        else:
            current.append(line)
    return sections


def server_templates() -> dict[str, tuple[int, str, int]]:
    """``backend name: (slots, host, port)`` from each backend's server-template line."""
    found = {}
    for section, lines in haproxy_sections().items():
        if not section.startswith("backend "):
            continue
        for line in lines:
            match = re.fullmatch(r'server-template (\S+) (\d+) "(\w+)\$\{SESAME_DNS_SUFFIX\}:(\d+)"', line)
            if match:
                found[section.split()[1]] = (int(match[2]), match[3], int(match[4]))
    return found


def frontend_port(name: str) -> int:
    binds = [line for line in haproxy_sections()[f"frontend {name}"] if line.startswith("bind ")]
    assert len(binds) == 1, f"frontend {name} : un seul bind attendu"
    return int(binds[0].rsplit(":", 1)[1])


# --- schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [doc for _, doc in kubernetes_documents()],
    ids=[f"{name}:{doc['kind']}/{doc['metadata']['name']}" for name, doc in kubernetes_documents()],
)
def test_every_kubernetes_document_is_valid(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, K8S_VERSION, strict=True)


def _deployment() -> dict[str, Any]:
    return copy.deepcopy(objects("Deployment")["web"])


def test_the_kubernetes_validator_refuses_a_broken_document() -> None:
    wrong_type = _deployment()
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, K8S_VERSION, strict=True)
    # Strict: a misspelt field is refused, not ignored.
    unknown_field = _deployment()
    unknown_field["spec"]["replica"] = unknown_field["spec"].pop("replicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown_field, K8S_VERSION, strict=True)


def _compose_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_the_compose_file_is_valid() -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _compose_validator().iter_errors(compose())
    ]
    assert errors == []


def test_the_compose_validator_refuses_a_broken_file() -> None:
    broken = copy.deepcopy(compose())
    # replicas belongs under deploy:, a common slip.
    broken["services"]["web"]["replicas"] = 2
    assert not _compose_validator().is_valid(broken)
    broken = copy.deepcopy(compose())
    broken["services"]["web"]["deploy"]["resources"]["limits"]["memory"] = ["512M"]
    assert not _compose_validator().is_valid(broken)


def test_kustomization_applies_every_manifest_but_the_example_secret() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests - {"secret.example.yaml"}
    # No YAML anchors or aliases: kustomize before v5 (kubectl before 1.27) rejects them.
    for name in manifests:
        text = (KUBERNETES / name).read_text(encoding="utf-8")
        assert not re.search(r"[:-] +[&*][\w-]+\s*$", text, re.MULTILINE), name
    images = {image["name"] for image in kustomization["images"]}
    used = {c["image"].split(":")[0] for _, pod in workloads() for c in containers(pod)}
    assert {"sesame/rasa", "sesame/actions"} <= used
    assert used - images == {"haproxy"}


def test_every_object_is_in_the_sesame_namespace() -> None:
    for name, doc in kubernetes_documents():
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{name}: {doc['metadata']['name']}"


# --- the same processes on both sides ---------------------------------------------------


def test_the_same_processes_and_replicas_in_compose_and_kubernetes() -> None:
    replicas = int(production_settings()["REPLICAS"])
    deployments = objects("Deployment")
    services = compose_services()
    assert set(deployments) == {*SESAME_SERVERS, "mail-worker", "haproxy"}
    assert set(services) == {*SESAME_PROCESSES, "haproxy", "postgres", "redis"}
    assert "sesame-migrate" in objects("Job")
    for name in SESAME_SERVERS:
        assert deployments[name]["spec"]["replicas"] == replicas, name
        assert services[name]["deploy"]["replicas"] == replicas, name
    assert (
        deployments["mail-worker"]["spec"]["replicas"] == services["mail-worker"]["deploy"]["replicas"] == 1
    )


def _dockerfile_cmd(target: str) -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stage = text.split(f" AS {target}\n", 1)[1].split("\nFROM ", 1)[0]
    match = re.search(r"^CMD (\[.*\])$", stage, re.MULTILINE)
    assert match, f"pas de CMD dans la cible {target}"
    command: list[str] = json.loads(match[1])
    return command


def test_each_process_runs_the_same_command_everywhere() -> None:
    pods = sesame_workloads()
    services = compose_services()
    for name in SESAME_PROCESSES:
        in_kubernetes = pods[name]["containers"][0]["command"]
        assert in_kubernetes == services[name]["command"], name
    assert pods["rasa"]["containers"][0]["command"] == _dockerfile_cmd("rasa")
    assert pods["actions"]["containers"][0]["command"] == _dockerfile_cmd("actions")
    assert pods["rasa"]["containers"][0]["command"][:3] == [".venv/rasa/bin/python", "-m", "rasa_addons"]
    assert "endpoints.production.yml" in pods["rasa"]["containers"][0]["command"]
    assert pods["migrate"]["containers"][0]["command"][-3:] == ["bot", "db", "upgrade"]
    assert pods["web"]["containers"][0]["command"][-1] == "--proxy-headers"


def test_images_and_build_targets() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for target in ("rasa", "actions"):
        assert re.search(rf"^FROM \S+ AS {target}$", dockerfile, re.MULTILINE), target
        assert f"pip install --no-deps -r requirements/{target}.lock" in dockerfile
    assert "ARG PYTHON_IMAGE=python:3.10-slim" in dockerfile
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)
    for name, service in compose_services().items():
        if name in SESAME_PROCESSES:
            target = "rasa" if name == "rasa" else "actions"
            assert service["build"]["target"] == target, name
            assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
            assert service["image"].startswith(f"sesame/{target}:"), name
    for name, pod in sesame_workloads().items():
        target = "rasa" if name == "rasa" else "actions"
        for container in containers(pod):
            assert container["image"].startswith(f"sesame/{target}:"), name


# --- settings ------------------------------------------------------------------------------


def test_the_secrets_are_those_of_the_settings() -> None:
    assert secret_names() == SECRETS, ".env.production.example doit nommer chaque secret de bot/settings.py"


def test_compose_has_every_setting_and_no_other() -> None:
    plain = compose()["x-settings"]
    assert set(plain) == plain_names()
    assert set(example_secrets()) == secret_names() | {"PGPASSWORD"}
    for name, service in compose_services().items():
        if name not in SESAME_PROCESSES:
            continue
        environment = service["environment"]
        assert plain_names() <= set(environment), name
        assert set(environment) - plain_names() <= EXTRA_ENV | {"INTERNAL_HOST"}, name
        assert not set(environment) & SECRETS, f"{name}: secret en clair dans compose.yaml"
        assert service["env_file"] == ".env", name


def _environment(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def test_kubernetes_has_every_setting_and_no_other() -> None:
    config = objects("ConfigMap")["sesame-settings"]["data"]
    assert set(config) == plain_names()
    assert not set(config) & SECRETS
    example = objects("Secret")["sesame-secrets"]["stringData"]
    assert set(example) == secret_names() | {"PGPASSWORD"}
    for name, pod in sesame_workloads().items():
        for container in containers(pod):
            where = f"{name}/{container['name']}"
            assert container["envFrom"] == [{"configMapRef": {"name": "sesame-settings"}}], where
            env = _environment(container)
            assert set(env) - plain_names() - secret_names() <= EXTRA_ENV, where
            for secret in secret_names() | {"PGPASSWORD"}:
                reference = env[secret]["valueFrom"]["secretKeyRef"]
                assert (reference["name"], reference["key"]) == ("sesame-secrets", secret), where
            overridden = set(env) & plain_names()
            assert overridden <= {"INTERNAL_HOST"}, where


def test_the_same_setting_values_in_compose_and_kubernetes() -> None:
    """Host names differ only where the services do; everything else is the same value."""
    config = objects("ConfigMap")["sesame-settings"]["data"]
    plain = {name: str(value) for name, value in compose()["x-settings"].items()}
    assert plain == config
    example = production_settings()
    for name in ("SESAME_MODE", "REPLICAS", "RASA_PORT", "ACTIONS_PORT", "WEB_PORT", "REDIS_LOCK_PREFIX"):
        assert config[name] == example[name], name
    assert config["SESAME_MODE"] == "production"


def test_internal_host_is_the_balancer_except_where_a_server_listens() -> None:
    assert compose()["x-settings"]["INTERNAL_HOST"] == "haproxy"
    assert objects("ConfigMap")["sesame-settings"]["data"]["INTERNAL_HOST"] == "haproxy"
    assert "haproxy" in compose_services() and "haproxy" in objects("Service")
    # The action server listens on INTERNAL_HOST (actions/server.py).
    assert compose_services()["actions"]["environment"]["INTERNAL_HOST"] == "0.0.0.0"  # noqa: S104
    assert _environment(sesame_workloads()["actions"]["containers"][0])["INTERNAL_HOST"]["value"] == "0.0.0.0"  # noqa: S104
    for name, pod in sesame_workloads().items():
        if name != "actions":
            assert all("INTERNAL_HOST" not in _environment(c) for c in containers(pod)), name


def _all_deploy_text() -> Iterator[tuple[Path, str]]:
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and "schemas" not in path.parts and path.name != ".env":
            yield path, path.read_text(encoding="utf-8")


def test_no_real_looking_secret() -> None:
    for value in [*example_secrets().values(), *objects("Secret")["sesame-secrets"]["stringData"].values()]:
        assert PLACEHOLDER in value
    # What secrets.token_urlsafe or a hex key look like: long, letters and several digits.
    token = re.compile(r"[A-Za-z0-9_-]{24,}")
    for path, text in _all_deploy_text():
        for candidate in token.findall(text):
            looks_random = len(re.findall(r"\d", candidate)) >= 3 and re.search(r"[A-Za-z]", candidate)
            assert not looks_random, f"{path.name}: {candidate}"
        assert "dev-only-change-me" not in text, path.name
        # No password in a database URL: PGPASSWORD carries it.
        assert not re.search(r"postgresql\+\w+://[^@/\s]*:[^@/\s]*@", text), path.name
    for name, pod in sesame_workloads().items():
        for container in containers(pod):
            for secret in SECRETS:
                assert "value" not in _environment(container).get(secret, {}), f"{name}: {secret}"


# --- health checks, resources, exposure, security ---------------------------------------------


def test_every_kubernetes_server_has_probes_on_paths_the_app_serves() -> None:
    monitor = next(line.split()[1] for line in haproxy_sections()["frontend sante"] if "monitor-uri" in line)
    allowed = {**HEALTH_PATHS, "haproxy": monitor}
    for name, pod in workloads():
        for container in pod["containers"]:
            if not container.get("ports"):
                continue
            assert "readinessProbe" in container and "livenessProbe" in container, name
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = container.get(kind)
                if probe and "httpGet" in probe:
                    assert probe["httpGet"]["path"] == allowed[name], f"{name} {kind}"
    # Rasa loads its model for up to two minutes before it answers.
    startup = objects("Deployment")["rasa"]["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 150


def test_every_compose_server_has_a_health_check_on_a_path_the_app_serves() -> None:
    for name in SESAME_SERVERS:
        service = compose_services()[name]
        urls = re.findall(r"http://127\.0\.0\.1:(\d+)(/\S*?)'", " ".join(service["healthcheck"]["test"]))
        assert urls == [(service["expose"][0], HEALTH_PATHS[name])], name


def test_the_balancer_checks_the_same_paths() -> None:
    for backend, path in HEALTH_PATHS.items():
        assert f"http-check send meth GET uri {path}" in haproxy_sections()[f"backend {backend}"]


def test_the_health_paths_are_served_without_a_token() -> None:
    """The action server leaves its probe open; the web tier's is a public page's route.

    (That ``/sante`` answers 200 with no session nor token: ``tests/web/test_chat_proxy.py``.)
    """
    from fastapi.routing import APIRoute

    from actions.server import OPEN_PATHS
    from bot.web.routes import pages

    assert HEALTH_PATHS["actions"] in OPEN_PATHS
    served = {
        (route.path, method)
        for route in pages.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert (HEALTH_PATHS["web"], "GET") in served


def test_every_container_has_requests_and_limits() -> None:
    for name, pod in workloads():
        for container in containers(pod):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{name}/{container['name']}"
    rasa = objects("Deployment")["rasa"]["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert (rasa["requests"]["memory"], rasa["limits"]["memory"]) == ("1Gi", "1536Mi")
    for name, service in compose_services().items():
        resources = service["deploy"]["resources"]
        assert "memory" in resources["reservations"] and "memory" in resources["limits"], name
    assert compose_services()["rasa"]["deploy"]["resources"]["limits"]["memory"] == "1536M"


def test_only_the_public_frontend_is_exposed() -> None:
    public = frontend_port("public")
    exposed = {
        name
        for name, service in objects("Service").items()
        if service["spec"].get("type", "ClusterIP") != "ClusterIP" or service["spec"].get("externalIPs")
    }
    assert exposed == {"sesame-public"}
    assert [port["targetPort"] for port in objects("Service")["sesame-public"]["spec"]["ports"]] == ["public"]
    haproxy = objects("Deployment")["haproxy"]["spec"]["template"]["spec"]["containers"][0]
    assert {p["name"]: p["containerPort"] for p in haproxy["ports"]}["public"] == public
    assert objects("Ingress") == {}
    for name, pod in workloads():
        assert not pod.get("hostNetwork"), name
        assert all("hostPort" not in p for c in containers(pod) for p in c.get("ports", [])), name
    published = {name: service["ports"] for name, service in compose_services().items() if "ports" in service}
    assert published == {"haproxy": [f"{public}:{public}"]}
    assert compose()["networks"]["interne"]["internal"] is True
    for name in (*SESAME_SERVERS, "postgres", "redis"):
        assert compose_services()[name]["networks"] == ["interne"], name


def test_every_pod_runs_unprivileged_on_a_read_only_filesystem() -> None:
    for name, pod in workloads():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        tmp = [v["name"] for v in pod.get("volumes", []) if v["name"] == "tmp" and "emptyDir" in v]
        assert tmp == ["tmp"], name
        for container in containers(pod):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name  # noqa: S108
    for name, pod in sesame_workloads().items():
        assert pod["securityContext"]["runAsUser"] == 10001, name  # the USER of deploy/Dockerfile
    for name in (*SESAME_PROCESSES, "haproxy"):
        service = compose_services()[name]
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"], name  # noqa: S108
        assert service["cap_drop"] == ["ALL"], name


def test_the_migration_runs_before_the_other_processes() -> None:
    for name in (*SESAME_SERVERS, "mail-worker"):
        depends = compose_services()[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
    for name in ("actions", "web", "mail-worker"):
        init = sesame_workloads()[name]["initContainers"]
        assert [c["name"] for c in init] == ["attendre-migration"], name
        assert "is_up_to_date" in init[0]["command"][-1], name


# --- the balancer --------------------------------------------------------------------------


def test_rasa_is_chosen_by_conversation_with_consistent_hashing() -> None:
    rasa = haproxy_sections()["backend rasa"]
    assert "balance hdr(X-Sesame-Conversation)" in rasa
    assert "hash-type consistent" in rasa
    assert "option redispatch" in haproxy_sections()["defaults"]
    assert "balance roundrobin" in haproxy_sections()["backend web"]
    assert "balance roundrobin" in haproxy_sections()["backend actions"]
    assert any(
        line.startswith("default-server") and " check" in line for line in haproxy_sections()["defaults"]
    )


def test_the_balancer_finds_every_replica_where_it_runs() -> None:
    settings = objects("ConfigMap")["sesame-settings"]["data"]
    ports = {"rasa": int(settings["RASA_PORT"]), "actions": int(settings["ACTIONS_PORT"])}
    ports["web"] = int(settings["WEB_PORT"])
    assert frontend_port("rasa") == ports["rasa"] and frontend_port("actions") == ports["actions"]
    headless = {name for name, s in objects("Service").items() if s["spec"].get("clusterIP") == "None"}
    assert set(server_templates()) == set(SESAME_SERVERS)
    for backend, (slots, host, port) in server_templates().items():
        assert host == backend and port == ports[backend], backend
        assert slots >= 2 * int(settings["REPLICAS"]), f"{backend}: place pour une mise à jour progressive"
        assert host in compose_services() and host in headless, backend
        pod = objects("Deployment")[backend]["spec"]["template"]["spec"]
        assert pod["containers"][0]["ports"][0]["containerPort"] == port, backend
    internal = objects("Service")["haproxy"]["spec"]["ports"]
    assert sorted(p["port"] for p in internal) == sorted([ports["rasa"], ports["actions"]])
    haproxy = objects("Deployment")["haproxy"]["spec"]["template"]["spec"]["containers"][0]
    suffix = _environment(haproxy)["SESAME_DNS_SUFFIX"]["value"]
    assert suffix == f".{NAMESPACE}.svc.cluster.local"
    assert compose_services()["haproxy"]["environment"]["SESAME_DNS_SUFFIX"] == ""


def test_the_kubernetes_copy_of_haproxy_cfg_is_the_file() -> None:
    copied = objects("ConfigMap")["haproxy-config"]["data"]["haproxy.cfg"]
    assert copied == HAPROXY_CFG.read_text(encoding="utf-8"), (
        "deploy/kubernetes/haproxy.yaml : recopier deploy/haproxy.cfg dans le ConfigMap haproxy-config"
    )


def _haproxy_check(config: Path, suffix: str) -> subprocess.CompletedProcess[str]:
    haproxy = shutil.which("haproxy")
    assert haproxy is not None
    env = {**os.environ, "SESAME_DNS_SUFFIX": suffix}
    # -dW: a warning fails the check too.
    return subprocess.run(  # noqa: S603 - fixed arguments
        [haproxy, "-c", "-dW", "-f", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy absent de cette machine")
@pytest.mark.parametrize("suffix", ["", f".{NAMESPACE}.svc.cluster.local"], ids=["compose", "kubernetes"])
def test_haproxy_accepts_its_configuration(suffix: str) -> None:
    checked = _haproxy_check(HAPROXY_CFG, suffix)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy absent de cette machine")
def test_haproxy_refuses_a_broken_configuration(tmp_path: Path) -> None:
    broken = tmp_path / "haproxy.cfg"
    text = HAPROXY_CFG.read_text(encoding="utf-8")
    broken.write_text(text.replace("hash-type consistent", "hash-type coherent"), encoding="utf-8")
    assert _haproxy_check(broken, "").returncode != 0
