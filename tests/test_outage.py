"""Outages and operations: the database going away and coming back, migrations, reloads."""

from __future__ import annotations

import contextlib
import io
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import cast

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, ProgrammingError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.html import escape

from comments.models import Comment
from definitions.models import Definition, Distinction, Source, Stance
from smsn.postgresql.base import AnswerTimeoutConnection
from smsn.views import server_error
from smsn.visitors import SALT

BASE_DIR = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT = "127.0.0.1", 5432


def _database_down(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: refused")


@pytest.fixture
def database_down(monkeypatch):
    """Make every query of this thread's connection fail as if the server had gone away."""
    monkeypatch.setattr(connection, "cursor", _database_down)


@pytest.mark.django_db
def test_pages_answer_a_styled_503_with_retry_after_while_the_database_is_down(
    client, seeded, database_down
):
    for url in ["/", "/compare/social-media-vs-social-networking/", "/compare/anything/"]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert "Back in a moment" in html
        assert 'class="site-header"' in html
        assert "Traceback" not in html


@pytest.mark.django_db
def test_with_redis_up_a_new_visitor_still_reads_the_page_while_the_database_is_down(
    client, seeded, redis_shared_cache, returning_visitor, monkeypatch
):
    url = "/compare/social-media-vs-social-networking/"
    assert client.get(url).status_code == 200
    monkeypatch.setattr(connection, "cursor", _database_down)
    # The page's version is in Redis and the worker has that version: nothing needs the database.
    response = type(client)().get(url)
    assert response.status_code == 200
    assert "Social networking" in response.content.decode()
    # A returning visitor's own votes are in the database: they get the styled 503.
    returning, _ = returning_visitor()
    assert returning.get(url).status_code == 503


@pytest.mark.django_db
def test_the_503_page_keeps_the_security_headers(client, seeded, database_down):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def cache_down(settings):
    """Point the cache at a Redis server that is not there (nothing listens on port 1)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }


@pytest.mark.django_db
def test_posting_while_the_redis_cache_is_down_answers_503_and_saves_nothing(
    seeded, comment_form, distinction_form, cache_down
):
    before = (Comment.objects.count(), Distinction.objects.count())
    client = Client()
    for url, data in [
        (reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug}), comment_form()),
        (reverse("definitions:add_distinction", kwargs={"slug": seeded.slug}), distinction_form()),
    ]:
        response = client.post(url, data)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
        assert "Back in a moment" in response.content.decode()
    assert (Comment.objects.count(), Distinction.objects.count()) == before


@pytest.mark.django_db
def test_reading_needs_no_cache(client, seeded, cache_down):
    assert client.get(seeded.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_readiness_reports_the_database_down(client, database_down):
    response = client.get(reverse("readiness"))
    assert response.status_code == 503
    assert response.content == b"database unavailable"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_readiness_reports_the_cache_down(client, cache_down):
    response = client.get(reverse("readiness"))
    assert response.status_code == 503
    assert response.content == b"cache unavailable"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_checks_a_round_trip_through_the_redis_cache(client, redis_shared_cache):
    assert client.get(reverse("readiness")).content == b"ready"


def test_readiness_answers_503_within_seconds_while_redis_hangs(tmp_path):
    # A Redis that hangs: connections are accepted (by the kernel, into the backlog) and never
    # answered.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
        env.update(
            DATABASE_URL=f"sqlite:///{tmp_path / 'ready.sqlite3'}",
            REDIS_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
            DJANGO_SETTINGS_MODULE="smsn.settings",
        )
        program = (
            "import json, time, django; django.setup()\n"
            "from django.test import Client\n"
            "started = time.monotonic()\n"
            "response = Client(HTTP_HOST='localhost').get('/readyz')\n"
            "print(json.dumps([response.status_code, response.content.decode(),"
            " time.monotonic() - started]))"
        )
        result = subprocess.run(
            [sys.executable, "-c", program],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    status, body, seconds = json.loads(result.stdout.splitlines()[-1])
    assert (status, body) == (503, "cache unavailable")
    assert seconds < 3


@pytest.mark.django_db
def test_liveness_stays_up_while_the_database_is_down(client, database_down):
    assert client.get(reverse("liveness")).status_code == 200


def test_an_outage_noticed_outside_a_view_still_answers_503():
    request = RequestFactory().get("/")
    try:
        _database_down()
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()


def test_a_broken_query_is_a_500_not_an_outage():
    request = RequestFactory().get("/")
    try:
        raise ProgrammingError("column does not exist")
    except ProgrammingError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_a_broken_query_in_a_view_answers_the_styled_500(client, seeded, monkeypatch):
    def broken(*args, **kwargs):
        raise ProgrammingError("relation does not exist")

    monkeypatch.setattr(connection, "cursor", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_running_migrations_again_changes_nothing():
    applied = set(MigrationRecorder(connection).applied_migrations())
    out = io.StringIO()
    call_command("migrate", interactive=False, stdout=out)
    assert "No migrations to apply." in out.getvalue()
    assert set(MigrationRecorder(connection).applied_migrations()) == applied


def _counts() -> dict[str, int]:
    return {
        "sources": Source.objects.count(),
        "definitions": Definition.objects.count(),
        "distinctions": Distinction.objects.count(),
        "stances": Stance.objects.count(),
        "comments": Comment.objects.count(),
    }


@pytest.mark.django_db
def test_loading_the_sources_again_changes_no_counts(seeded):
    before = _counts()
    call_command("loadsources", stdout=io.StringIO())
    assert _counts() == before


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_loading_the_sources_while_pages_are_served_is_safe(seeded):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    before = _counts()
    titles = list(Source.objects.values_list("title", flat=True))
    errors: list[str] = []
    loading = threading.Event()

    def load() -> None:
        try:
            loading.set()
            for _ in range(3):
                call_command("loadsources", stdout=io.StringIO())
        except Exception as exc:  # collected and asserted below
            errors.append(f"loadsources: {exc!r}")
        finally:
            loading.clear()
            connection.close()

    def browse() -> None:
        client = Client()
        try:
            loading.wait(5)
            served = 0
            while loading.is_set() or served < 5:
                response = client.get("/compare/social-media-vs-social-networking/")
                served += 1
                html = response.content.decode()
                if response.status_code != 200:
                    errors.append(f"page answered {response.status_code}")
                elif not all(escape(title) in html for title in titles):
                    errors.append("a source was missing from the page")
        finally:
            connection.close()

    threads = [threading.Thread(target=load), threading.Thread(target=browse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert _counts() == before


class TcpProxy:
    """Forward a local port to PostgreSQL; stop() cuts every connection, as an outage would.

    freeze() is the other kind of outage, a server that hangs: connections are accepted and kept
    open, and nothing is forwarded either way until thaw().
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = False
        self._frozen = threading.Event()

    def freeze(self) -> None:
        self._frozen.set()

    def thaw(self) -> None:
        self._frozen.clear()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._running = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        self._running = False
        with self._lock:
            if self._listener is not None:
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._running:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self._running:
                    client.close()
                    upstream.close()
                    return
                self._sockets.update({client, upstream})
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        try:
            selector.register(a, selectors.EVENT_READ, b)
            selector.register(b, selectors.EVENT_READ, a)
            while self._running:
                if self._frozen.is_set():
                    time.sleep(0.05)
                    continue
                for key, _ in selector.select(timeout=0.1):
                    data = cast(socket.socket, key.fileobj).recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            with self._lock:
                for sock in (a, b):
                    self._sockets.discard(sock)
                    sock.close()


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def outage_database():
    """A PostgreSQL database of its own, migrated and loaded; dropped afterwards."""
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    import psycopg

    name = f"smsn_outage_{uuid.uuid4().hex[:10]}"
    admin_url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SITE_SECRET_KEY = "outage-test-" + "s" * 50


def _returning_visitor_cookie() -> str:
    """Return the Cookie header of a visitor who has voted or posted on the site under test.

    Their own rows are in the database, so their pages need it (new visitors may be served the
    last good page while it is down).
    """
    response = HttpResponse()
    with override_settings(SECRET_KEY=SITE_SECRET_KEY):
        response.set_signed_cookie(settings.SMSN_VISITOR_COOKIE, str(uuid.uuid4()), salt=SALT)
    return f"{settings.SMSN_VISITOR_COOKIE}={response.cookies[settings.SMSN_VISITOR_COOKIE].value}"


def _site_env(database: str, port: int, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a production site on `database`, reached through `port`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SITE_SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/{database}",
        # Every page view checks its version in the cache (the database cache here), so the
        # outage shows on the very next request; by default a new visitor could be served the
        # worker's copy for up to a second.
        SMSN_SHARED_PAGE_MAX_AGE="0",
        **extra,
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["loadsources"],
        # The admin's files are most of the work and no page under test uses them.
        ["collectstatic", "--noinput", "-v0", "--ignore", "admin"],
    ):
        subprocess.run([*manage, *command], env=env, cwd=BASE_DIR, check=True, capture_output=True)
    return env


@contextlib.contextmanager
def _gunicorn(env: dict[str, str]):
    """Run one gunicorn worker with `env`; yield its base URL and a function returning its log."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "smsn.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, lambda: "".join(output)
        assert server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # a worker stuck on a database that hangs
            server.kill()
            server.wait(10)
        log.seek(0)
        output.append(log.read().decode(errors="replace"))
        log.close()


@pytest.mark.postgres
def test_a_running_server_answers_503_while_postgresql_is_unreachable_and_recovers(
    outage_database, tmp_path
):
    proxy = TcpProxy((PG_HOST, PG_PORT))
    proxy.start()
    env = _site_env(outage_database, proxy.port, tmp_path)
    try:
        with _gunicorn(env) as (base, server_log):
            pages = ["/", "/compare/social-media-vs-social-networking/"]
            cookie = _returning_visitor_cookie()
            for page in pages:
                assert _get(base + page, cookie)[0] == 200, page
            assert _get(f"{base}/readyz")[0] == 200

            proxy.stop()
            for page in pages:
                status, headers, html = _get(base + page, cookie)
                assert status == 503, page
                assert int(headers["Retry-After"]) > 0
                assert "Back in a moment" in html
                assert "Traceback" not in html
            status, headers, body = _get(f"{base}/readyz")
            assert (status, body) == (503, "database unavailable")
            assert _get(f"{base}/healthz")[0] == 200
            # A page that needs no database keeps working.
            assert _get(f"{base}/privacy/")[0] == 200

            proxy.start()
            status, _, html = _get(base + pages[1], cookie)
            assert status == 200
            assert "Social networking" in html
            assert _get(f"{base}/readyz")[0] == 200
    finally:
        proxy.stop()
    # The same worker answered before, during and after the outage: it was never replaced.
    assert server_log().count("Booting worker") == 1, server_log()


@pytest.mark.postgres
def test_a_query_to_a_postgresql_that_hangs_fails_after_the_answer_timeout():
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    proxy = TcpProxy((PG_HOST, PG_PORT))
    proxy.start()
    try:
        with AnswerTimeoutConnection.connect(
            host="127.0.0.1", port=proxy.port, user="postgres", dbname="postgres", answer_timeout=1
        ) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            proxy.freeze()
            started = time.monotonic()
            with pytest.raises(psycopg.OperationalError, match="did not answer within 1 s"):
                conn.execute("SELECT 1")
            assert time.monotonic() - started < 3
            # Closed, so Django's next request connects afresh instead of reusing it.
            assert conn.closed
    finally:
        proxy.stop()


def _timed_get(url: str, cookie: str = "") -> tuple[int, str, float]:
    started = time.monotonic()
    status, _, body = _get(url, cookie)
    return status, body, time.monotonic() - started


@pytest.mark.postgres
def test_a_running_server_answers_503_in_seconds_while_postgresql_hangs_and_recovers(
    outage_database, tmp_path
):
    proxy = TcpProxy((PG_HOST, PG_PORT))
    proxy.start()
    # Short waits keep the test short: the server cancels statements after 1 s, the client gives
    # up on an answer after 2 s and on connecting after 2 s (psycopg's least).
    env = _site_env(
        outage_database,
        proxy.port,
        tmp_path,
        SMSN_DB_STATEMENT_TIMEOUT_MS="1000",
        SMSN_DB_CONNECT_TIMEOUT="2",
    )
    source_page = "/compare/social-media-vs-social-networking/sources/channel-or-place/"
    cookie = _returning_visitor_cookie()
    try:
        with _gunicorn(env) as (base, server_log):
            for page in ["/", source_page]:
                assert _get(base + page, cookie)[0] == 200, page

            proxy.freeze()
            status, body, seconds = _timed_get(f"{base}/healthz")
            assert (status, body) == (200, "ok")
            assert seconds < 1
            for page in ["/", source_page, "/readyz"]:
                status, body, seconds = _timed_get(base + page, cookie)
                # An open connection gives up after 2 s, then a new one after 2 s more.
                assert status == 503, page
                assert seconds < 8, (page, seconds)
                if page != "/readyz":
                    assert "Back in a moment" in body
            status, _, seconds = _timed_get(f"{base}/healthz")
            assert status == 200
            assert seconds < 1

            proxy.thaw()
            status, body, _ = _timed_get(base + source_page, cookie)
            assert status == 200
            assert "Social networking" in body
            assert _get(f"{base}/readyz")[0] == 200
    finally:
        proxy.stop()
    assert server_log().count("Booting worker") == 1, server_log()
