"""Security headers, cookies and the admin's address, in development and production settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "smsn.example",
    "DJANGO_SETTINGS_MODULE": "smsn.settings",
}


def _policy(response) -> dict[str, list[str]]:
    """Return the Content-Security-Policy header as {directive: [values]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _nonce(response) -> str:
    """Return the script nonce the response's policy allows."""
    value = next(v for v in _policy(response)["script-src"] if v.startswith("'nonce-"))
    return value.removeprefix("'nonce-").removesuffix("'")


def test_comparison_page_policy_allows_no_inline_or_evaluated_code_and_no_framing(client, seeded):
    response = client.get(seeded.get_absolute_url())
    policy = _policy(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for directive in ("default-src", "script-src", "style-src"):
        assert not [v for v in policy[directive] if v.startswith("'unsafe-")], directive
    assert [v for v in policy["script-src"] if v.startswith("'nonce-")]


def test_htmx_script_carries_the_nonce_the_policy_allows(client, seeded):
    response = client.get(seeded.get_absolute_url())
    nonce = _nonce(response)
    html = response.content.decode()
    htmx_tag = re.search(r"<script[^>]*htmx[^>]*>", html)
    assert htmx_tag, "the page loads htmx"
    assert f'nonce="{nonce}"' in htmx_tag.group(0)


def test_each_response_gets_a_fresh_nonce(client, seeded):
    first = _nonce(client.get(seeded.get_absolute_url()))
    second = _nonce(client.get(seeded.get_absolute_url()))
    assert first != second


def test_pages_have_no_inline_scripts_or_styles_the_policy_would_block(client, seeded):
    source = seeded.sources.first()
    for url in (seeded.get_absolute_url(), source.get_absolute_url(), reverse("privacy")):
        response = client.get(url)
        nonce = _nonce(response)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            # A script is loaded from a file, or is structured data, which browsers never run.
            assert "src=" in tag or 'type="application/ld+json"' in tag, (url, tag)
            assert f'nonce="{nonce}"' in tag, (url, tag)
        assert not re.search(r"<style\b", html), url
        assert not re.search(r"\sstyle\s*=", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/privacy/"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/compare/no-such-comparison/"),
        ("post", "/"),
        ("get", "/admin/login/"),
    ],
)
def test_every_response_carries_the_protective_headers(client, seeded, method, path):
    response = getattr(client, method)(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_cookies_set_by_pages_are_http_only(client):
    response = client.get(reverse("admin:login"))
    assert response.cookies["csrftoken"]["httponly"]


def _in_production(code: str, **env: str) -> dict:
    """Run `code` in a fresh interpreter with production settings; return the JSON it prints.

    The code gets `client`, a test client; static files use plain storage there, since these
    tests are about headers and no collectstatic has run.
    """
    program = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test.utils import setup_test_environment, override_settings\n"
        "setup_test_environment()\n"
        "from django.test import Client\n"
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable()\n"
        "client = Client(HTTP_HOST='smsn.example')\n" + code
    )
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    full_env.update(PRODUCTION_ENV, **env)
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=full_env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https():
    seen = _in_production(
        "r = client.get('/privacy/')\n"
        "print(json.dumps({'status': r.status_code, 'location': r.get('Location')}))"
    )
    assert seen == {"status": 301, "location": "https://smsn.example/privacy/"}


def test_production_trusts_the_proxy_header_and_sends_hsts():
    seen = _in_production(
        "r = client.get('/admin/login/', HTTP_X_FORWARDED_PROTO='https')\n"
        "c = r.cookies['csrftoken']\n"
        "print(json.dumps({'status': r.status_code, 'hsts': r.get('Strict-Transport-Security'),"
        "'secure': bool(c['secure']), 'httponly': bool(c['httponly'])}))"
    )
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["secure"]
    assert seen["httponly"]


def test_production_session_cookies_are_secure_and_http_only():
    seen = _in_production(
        "from django.conf import settings as s\n"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY]))"
    )
    assert seen == [True, True, True, True]


def test_admin_moves_to_the_configured_path_and_leaves_admin_empty():
    seen = _in_production(
        "r_old = client.get('/admin/login/', HTTP_X_FORWARDED_PROTO='https')\n"
        "r_new = client.get('/back-office-7f3a/login/', HTTP_X_FORWARDED_PROTO='https')\n"
        "from django.urls import reverse\n"
        "print(json.dumps({'old': r_old.status_code, 'new': r_new.status_code,"
        " 'form': 'name=\"password\"' in r_new.content.decode(), 'url': reverse('admin:login')}))",
        SMSN_ADMIN_PATH="back-office-7f3a",
    )
    assert seen == {"old": 404, "new": 200, "form": True, "url": "/back-office-7f3a/login/"}
