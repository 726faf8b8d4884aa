"""The site answers: home page, source pages, health endpoints, styled errors, settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils.html import escape

from definitions.models import Source

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_comparison_and_the_five_sources(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Social media" in html
    assert "Social networking" in html
    for source in Source.objects.all():
        assert escape(source.title) in html


def test_each_source_page_shows_its_text_with_definitions_marked(client, seeded):
    for source in Source.objects.all():
        response = client.get(source.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="definition-a"' in html
        assert 'id="definition-b"' in html


def test_unknown_comparison_gets_a_styled_404(client, seeded):
    response = client.get(reverse("definitions:comparison", kwargs={"slug": "no-such-thing"}))
    assert response.status_code == 404


def test_liveness_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("liveness"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readiness_reports_the_database_up(client):
    response = client.get(reverse("readiness"))
    assert response.status_code == 200


def _run_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _run_settings(
        {"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "smsn.settings"},
        "import django; django.setup()",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _run_settings(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-for-tests-0123",
            "DJANGO_ALLOWED_HOSTS": "smsn.example",
            "DJANGO_SETTINGS_MODULE": "smsn.settings",
        },
        "import sys, django; from django.core.management import call_command; django.setup();"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
    )
    assert result.returncode == 0, result.stderr


def test_redis_url_selects_the_shared_redis_cache():
    result = _run_settings(
        {"REDIS_URL": "redis://127.0.0.1:6379/0", "DJANGO_SETTINGS_MODULE": "smsn.settings"},
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND'])",
    )
    assert result.stdout.strip() == "smsn.redis_cache.RedisCache"


def test_database_url_selects_postgresql_with_health_checks_and_bounded_waits():
    result = _run_settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/smsn",
            "DJANGO_SETTINGS_MODULE": "smsn.settings",
        },
        "import django; django.setup(); from django.conf import settings;"
        "d = settings.DATABASES['default']; o = d['OPTIONS'];"
        "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], o['connect_timeout'], o['options'],"
        "o['answer_timeout'], o['tcp_user_timeout'])",
    )
    assert result.stdout.split() == [
        "smsn.postgresql",
        "True",
        "2",
        "-c",
        "statement_timeout=4000",
        "5.0",
        "5000",
    ]


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/0", "foo://cache", "127.0.0.1:6379"])
def test_a_redis_url_redis_cannot_use_stops_the_site_from_starting(url):
    result = _run_settings(
        {"REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "smsn.settings"},
        "import sys, django; from django.core.management import call_command; django.setup();"
        "call_command('check')",
    )
    assert result.returncode != 0
    assert "REDIS_URL must start with redis://, rediss:// (TLS) or unix://" in result.stderr


def test_the_system_check_reports_a_redis_cache_address_redis_cannot_use(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "smsn.redis_cache.RedisCache", "LOCATION": "http://127.0.0.1:6379/0"},
    }
    with pytest.raises(SystemCheckError, match=r"smsn\.E001.*'shared' cache.*'http'"):
        call_command("check")


@pytest.mark.parametrize(
    "location", ["redis://127.0.0.1:6379/0", "rediss://cache:6380/1", "unix:///run/redis.sock"]
)
def test_the_system_check_accepts_the_addresses_redis_takes(settings, location):
    from smsn.checks import check_redis_cache_locations

    settings.CACHES = {"default": {"BACKEND": "smsn.redis_cache.RedisCache", "LOCATION": location}}
    assert check_redis_cache_locations() == []


def test_production_static_files_are_cached_for_a_year_and_hashed_ones_never_revalidated(
    tmp_path,
):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "static-test-" + "s" * 50,
        "DJANGO_ALLOWED_HOSTS": "smsn.example",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "smsn.settings",
    }
    collect = _run_settings(
        env,
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('collectstatic', '--noinput', '-v0', '--ignore', 'admin')",
    )
    assert collect.returncode == 0, collect.stderr
    result = _run_settings(
        env,
        "import json, django; django.setup()\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='smsn.example')\n"
        "hashed = static('css/site.css')\n"
        "print(json.dumps([hashed, client.get(hashed)['Cache-Control'],"
        " client.get('/static/css/site.css')['Cache-Control']]))",
    )
    assert result.returncode == 0, result.stderr
    hashed_url, hashed, plain = json.loads(result.stdout.splitlines()[-1])
    assert hashed_url != "/static/css/site.css"
    assert hashed == "max-age=31536000, public, immutable"
    assert plain == "max-age=31536000, public"
