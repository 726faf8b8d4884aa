"""The production shape, run for real: nginx with the repository's config, over https, in front of
two gunicorn instances that share one PostgreSQL database and one Redis database.

What one instance does, the other shows; limits hold across both; one instance killed does not
take the site down; the security headers and the health checks survive the proxy; two releases
share one Redis without serving each other's pages. Marked `topology`: it needs PostgreSQL on
127.0.0.1:5432, Redis on 127.0.0.1:6379 and Debian's nginx (./bin/test installs it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.topology.harness import (
    BASE_DIR,
    PG_HOST,
    PG_PORT,
    REDIS_DB,
    REDIS_HOST,
    REDIS_PORT,
    Browser,
    Instance,
    Nginx,
    Response,
    form,
    free_port,
    make_certificate,
    manage,
    nginx_binary,
    reachable,
    start_instance,
    start_nginx,
    vote_count,
)

pytestmark = pytest.mark.topology

MODERATOR, MODERATOR_PASSWORD = "moira", "topology-moderator-password"
# New visitors may be served a worker's copy of a page this old (SMSN_SHARED_PAGE_MAX_AGE, its
# default, README "Performance"); anyone with the visitor cookie gets the current page.
MAX_AGE = 1.0
HSTS = "max-age=31536000; includeSubDomains; preload"
VISITOR_COOKIE = "smsn_visitor"


@dataclass
class Site:
    proxy: Nginx
    instances: list[Instance]
    env: dict[str, str]
    database: str
    context: ssl.SSLContext
    directory: Path
    nginx: str
    tls: tuple[Path, Path]

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.proxy.https_port}"

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.proxy.http_port}"

    def browser(self, address: str = "127.0.0.1") -> Browser:
        return Browser(self.base, self.context, address)

    def served_by(self, response: Response) -> Instance:
        """Return the instance whose access log has the request (it is written just after)."""
        deadline = time.monotonic() + 3
        while True:
            for instance in self.instances:
                if instance.served(response.marker):
                    return instance
            if time.monotonic() > deadline:
                raise AssertionError(f"no instance logged {response.url}")
            time.sleep(0.02)

    def on_each_instance(self, fetch: Callable[[], Response]) -> list[Response]:
        """Repeat `fetch` until every running instance has answered once; return every answer."""
        running = {i.name for i in self.instances if i.alive()}
        answers, seen = [], set()
        for _ in range(8):
            answer = fetch()
            answers.append(answer)
            seen.add(self.served_by(answer).name)
            if seen == running:
                return answers
        raise AssertionError(f"the proxy sent eight requests to {seen} only, not to {running}")

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{self.database}"
        with psycopg.connect(url) as connection:
            return connection.execute(sql, params).fetchall()


def _skip_unless_services_are_here() -> str:
    if not reachable(PG_HOST, PG_PORT):
        pytest.skip(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    if not reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (it makes the throwaway certificate)")
    binary = nginx_binary()
    if binary is None:
        pytest.skip("Debian's nginx is not installed and ./bin/test could not install it")
    return binary


def _flush_redis() -> None:
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    import psycopg

    binary = _skip_unless_services_are_here()
    directory = tmp_path_factory.mktemp("topology")
    database = f"smsn_topo_{uuid.uuid4().hex[:10]}"
    admin_url = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    _flush_redis()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SMSN_")) and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="topology-" + "s" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="smsn.settings",
        DJANGO_STATIC_ROOT=str(directory / "static"),
        DATABASE_URL=f"postgres://postgres@{PG_HOST}:{PG_PORT}/{database}",
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        # As docker-compose.yml: nginx appends the client's address.
        SMSN_TRUSTED_PROXY_COUNT="1",
        SMSN_RELEASE="topology-1",
        # The forms' "too fast to be a person" check would make every post here wait 3 s.
        SMSN_COMMENT_MIN_SECONDS="0",
        SMSN_DISTINCTION_MIN_SECONDS="0",
        SMSN_MODERATOR_PASSWORD=MODERATOR_PASSWORD,
    )
    instances: list[Instance] = []
    proxy = None
    try:
        # What the compose file's one-off migrate service does, then the image's collectstatic.
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "loadsources")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "createmoderator", MODERATOR)
        cert, key = make_certificate(directory)
        instances = [start_instance(name, env, directory) for name in ("a", "b")]
        proxy = start_nginx(binary, directory / "nginx", cert, key, [i.address for i in instances])
        context = ssl.create_default_context(cafile=str(cert))
        yield Site(proxy, instances, env, database, context, directory, binary, (cert, key))
    finally:
        if proxy is not None:
            proxy.stop()
        for instance in instances:
            instance.stop()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _flush_redis()


def _first_vote_form(html: str) -> tuple[int, str, dict[str, str]]:
    action, fields = form(html, "/vote/")
    found = re.search(r"/distinctions/(\d+)/vote/", action)
    assert found, action
    return int(found.group(1)), action, fields


def _pressed_yes(html: str, distinction_id: int) -> bool:
    return bool(re.search(rf'id="vote-{distinction_id}-up"[^>]*aria-pressed="true"', html))


def _wait_out_max_age(acknowledged: float) -> None:
    time.sleep(max(0.0, acknowledged + MAX_AGE - time.monotonic()))


# Over https through the proxy, and plain http for the health checks.


def test_pages_arrive_over_https_with_hsts_the_csp_and_secure_cookies(site):
    page = site.browser().get("/")
    assert page.status == 200
    assert "Social networking" in page.text
    assert page.headers["Strict-Transport-Security"] == HSTS
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    csrf = page.cookie_headers("csrftoken")
    assert csrf
    assert all("Secure" in c and "HttpOnly" in c for c in csrf)
    # nginx does not say its version.
    assert page.headers["Server"] == "nginx"


def test_the_proxy_compresses_the_pages_the_app_sends_plain(site):
    through_proxy = site.browser().get("/", headers={"Accept-Encoding": "gzip"})
    assert through_proxy.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in through_proxy.headers["Vary"]
    assert "Social networking" in through_proxy.text
    straight = site.browser().get(
        "/",
        base=site.instances[0].url,
        headers={"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"},
    )
    assert straight.status == 200
    assert straight.headers.get("Content-Encoding") is None


def test_plain_http_is_sent_to_https_but_the_health_checks_answer(site):
    browser = site.browser()
    redirect = browser.get("/privacy/?from=http", base=site.http_base)
    assert redirect.status == 301
    assert redirect.headers["Location"] == "https://127.0.0.1/privacy/?from=http"
    for path in ("/healthz", "/readyz"):
        for method in ("GET", "HEAD"):
            assert browser.request(method, path, base=site.http_base).status == 200, path
            # The container engine asks each instance directly, without any proxy header.
            for instance in site.instances:
                assert browser.request(method, path, base=instance.url).status == 200, path
    # Every other page, asked of an instance over plain http, still goes to https.
    assert browser.get("/privacy/", base=site.instances[0].url).status == 301


def test_bodies_over_the_limit_get_413_from_the_app_or_above_a_megabyte_from_nginx(site):
    browser = site.browser("127.0.0.9")
    url = "/compare/social-media-vs-social-networking/comments/post/"
    over_the_apps_limit = browser.post(url, {"body": "x" * 300_000})
    assert over_the_apps_limit.status == 413
    assert "larger than this site accepts (256 KB)" in over_the_apps_limit.text
    over_the_proxys_limit = browser.post(url, {"body": "x" * 2_000_000})
    assert over_the_proxys_limit.status == 413
    assert "larger than this site accepts" in over_the_proxys_limit.text


# What one instance does, the other shows.


def test_a_vote_through_one_instance_is_on_the_next_page_the_other_serves(site):
    voter = site.browser("127.0.0.2")
    distinction_id, action, fields = _first_vote_form(voter.get("/").text)
    before = vote_count(site.browser().get("/").text, distinction_id)
    ballot = voter.post(action, {**fields, "value": "1"})
    acknowledged = time.monotonic()
    assert ballot.status == 302
    # The voter's own next requests, on either instance, show the vote and its count at once.
    for page in site.on_each_instance(lambda: voter.get("/")):
        assert vote_count(page.text, distinction_id) == before + 1
        assert _pressed_yes(page.text, distinction_id)
    # A new visitor sees the count within the max age, on either instance.
    _wait_out_max_age(acknowledged)
    for page in site.on_each_instance(lambda: site.browser().get("/")):
        assert vote_count(page.text, distinction_id) == before + 1
        assert not _pressed_yes(page.text, distinction_id)


def _post_comment(site: Site, address: str, body: str) -> tuple[Browser, float, Instance]:
    commenter = site.browser(address)
    action, fields = form(commenter.get("/").text, "/comments/post/")
    posted = commenter.post(action, {**fields, "body": body, "author_name": "Topo"})
    assert posted.status == 302, posted.text
    return commenter, time.monotonic(), site.served_by(posted)


def test_a_comment_posted_through_one_instance_shows_through_the_other(site):
    body = f"Posted through one instance, read through the other ({uuid.uuid4().hex[:8]})."
    commenter, acknowledged, _ = _post_comment(site, "127.0.0.3", body)
    for page in site.on_each_instance(lambda: commenter.get("/")):
        assert body in page.text
    _wait_out_max_age(acknowledged)
    for page in site.on_each_instance(lambda: site.browser().get("/")):
        assert body in page.text


def test_a_moderators_removal_through_one_instance_shows_through_the_other(site):
    body = f"A comment a moderator will take down ({uuid.uuid4().hex[:8]})."
    commenter, _, _ = _post_comment(site, "127.0.0.4", body)
    (comment_id,) = site.query("SELECT id FROM comments_comment WHERE body = %s", body)[0]

    moderator = site.browser("127.0.0.5")
    _, fields = form(moderator.get("/admin/login/").text, "/admin/login/")
    signed_in = moderator.post(
        "/admin/login/?next=/admin/",
        {**fields, "username": MODERATOR, "password": MODERATOR_PASSWORD},
    )
    assert signed_in.status == 302
    session = signed_in.cookie_headers("sessionid")
    assert session
    assert all("Secure" in c and "HttpOnly" in c for c in session)
    # One sign-in holds on both instances (sessions live in the shared database and cache).
    changelists = site.on_each_instance(lambda: moderator.get("/admin/comments/comment/"))
    assert all(page.status == 200 and body in page.text for page in changelists)
    _, fields = form(changelists[-1].text, "")
    removal = moderator.post(
        "/admin/comments/comment/",
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "action": "remove",
            "_selected_action": str(comment_id),
            "index": "0",
            "reason": "Topology test",
        },
    )
    acknowledged = time.monotonic()
    assert removal.status == 302
    assert site.query("SELECT status FROM comments_comment WHERE id = %s", comment_id) == [
        ("removed",)
    ]
    for page in site.on_each_instance(lambda: commenter.get("/")):
        assert body not in page.text
    _wait_out_max_age(acknowledged)
    for page in site.on_each_instance(lambda: site.browser().get("/")):
        assert body not in page.text


def test_the_vote_limit_counts_across_both_instances_whatever_the_client_forwards(site):
    # Thirty votes a minute per network, counted in fixed minutes: start well inside one.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    voter = site.browser("127.0.0.20")
    _distinction_id, action, fields = _first_vote_form(voter.get("/").text)
    answers = []
    for n in range(36):
        answers.append(
            voter.post(
                action,
                {**fields, "value": str(n % 2)},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
        )
    statuses = [answer.status for answer in answers]
    assert statuses == [302] * 30 + [429] * 6
    # Both instances took part in counting to thirty, and both refused after it.
    assert {site.served_by(a).name for a in answers[:30]} == {"a", "b"}
    assert {site.served_by(a).name for a in answers[30:]} == {"a", "b"}
    # Another network still votes.
    other = site.browser("127.0.0.21")
    assert (
        other.post(action, {**form(other.get("/").text, "/vote/")[1], "value": "1"}).status == 302
    )


# Two releases on one Redis.


def _copy_release(destination: Path) -> Path:
    """Copy the site's code as a second release whose stylesheet differs (so its hashed name)."""
    skip = {"tests", "test-artifacts", "staticfiles"}
    shutil.copytree(
        BASE_DIR,
        destination,
        ignore=lambda folder, names: [
            n
            for n in names
            if (Path(folder) == BASE_DIR and (n in skip or n.startswith(".")))
            or n == "__pycache__"
            or n.startswith("db.sqlite3")
        ],
    )
    stylesheet = destination / "static" / "css" / "site.css"
    stylesheet.write_text(stylesheet.read_text() + "\n/* the second release */\n")
    return destination


def _stylesheet(page: Response) -> str:
    found = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', page.text)
    assert found, "no hashed stylesheet on the page"
    return found.group(1)


def test_two_releases_on_one_redis_never_serve_each_others_pages(site, tmp_path):
    code = _copy_release(tmp_path / "release-2")
    env = {**site.env, "SMSN_RELEASE": "topology-2", "DJANGO_STATIC_ROOT": str(tmp_path / "st")}
    manage(env, "collectstatic", "--noinput", "-v0", cwd=code)
    first = site.instances[0]
    second = start_instance("release-2", env, site.directory, cwd=code)
    try:

        def page(instance: Instance, path: str, browser: Browser | None = None) -> Response:
            answer = (browser or site.browser()).get(
                path, base=instance.url, headers={"X-Forwarded-Proto": "https"}
            )
            assert answer.status == 200, (instance.name, path)
            return answer

        own = {
            first.name: _stylesheet(page(first, "/")),
            second.name: _stylesheet(page(second, "/")),
        }
        assert own[first.name] != own[second.name]
        source = re.search(r'href="(/compare/[\w-]+/sources/[\w-]+/)"', page(first, "/").text)
        assert source, "no link to a source page"
        paths = ["/", "/compare/social-media-vs-social-networking/", source.group(1)]
        voter = site.browser("127.0.0.30")
        for order in [(first, second), (second, first)]:
            # A vote starts a new version of the pages: whichever release asks first renders it
            # and stores it in Redis, where the other would find it if keys had no release.
            _distinction_id, action, fields = _first_vote_form(voter.get("/").text)
            assert voter.post(action, {**fields, "value": "1"}).status == 302
            time.sleep(MAX_AGE)
            for path in paths:
                for instance in order:
                    assert _stylesheet(page(instance, path)) == own[instance.name], (
                        f"{instance.name} served another release's {path}"
                    )
                    returning = page(instance, path, voter)
                    assert _stylesheet(returning) == own[instance.name]
            voter.post(action, {**fields, "value": "0"})
    finally:
        second.stop()


# One instance lost.


def test_a_request_the_proxy_sends_to_a_dead_instance_is_answered_by_another(site, tmp_path):
    # A second nginx with the same config, whose first instance has never been up.
    dead = f"127.0.0.1:{free_port()}"
    cert, key = site.tls
    proxy = start_nginx(
        site.nginx, tmp_path / "nginx", cert, key, [dead, site.instances[1].address]
    )
    try:
        browser = Browser(f"https://127.0.0.1:{proxy.https_port}", site.context)
        assert [browser.get("/").status for _ in range(4)] == [200] * 4
        assert "Connection refused" in proxy.log()
    finally:
        proxy.stop()


# One instance lost under load. Last: it leaves the site with one instance.


def test_killing_one_instance_under_load_fails_nothing_after_a_second_and_loses_no_vote(site):
    victim, survivor = site.instances
    # One CSRF cookie and token for every voter; each vote comes from a new visitor.
    csrf_cookie = site.browser()
    distinction_id, action, fields = _first_vote_form(csrf_cookie.get("/").text)
    token = fields["csrfmiddlewaretoken"]
    stop = threading.Event()
    # (started, finished, status or error), in seconds of time.monotonic()
    reads: list[tuple[float, float, object]] = []
    acknowledged: list[str] = []

    def read() -> None:
        for _ in range(500):
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                status: object = site.browser().get("/", timeout=10).status
            except OSError as error:
                status = repr(error)
            reads.append((started, time.monotonic(), status))

    def write() -> None:
        # New voters from fifty networks: each stays far below its thirty votes a minute.
        for n in range(150):
            if stop.is_set():
                return
            voter = site.browser(f"127.0.1.{n % 50 + 1}")
            voter.cookies = dict(csrf_cookie.cookies)
            with contextlib.suppress(OSError):
                answer = voter.post(
                    action, {"csrfmiddlewaretoken": token, "value": "1"}, timeout=10
                )
                if answer.status == 302:
                    acknowledged.append(voter.cookies[VISITOR_COOKIE].split(":")[0])
            time.sleep(0.02)

    threads = [threading.Thread(target=read) for _ in range(3)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    time.sleep(2)
    killed_at = time.monotonic()
    victim.kill()
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(30)

    # Requests in flight at the kill, or sent within the second after it, may fail.
    before = [status for _, finished, status in reads if finished < killed_at]
    late = [(round(started - killed_at, 2), status) for started, _, status in reads]
    late = [(at, status) for at, status in late if at > 1.0]
    assert before
    assert set(before) == {200}
    assert len(late) > 30, "the load did not go on after the kill"
    assert [(at, status) for at, status in late if status != 200] == []
    assert survivor.alive()
    assert not victim.alive()
    # Every vote that was answered is stored, and the counts equal the rows.
    stored = {
        visitor
        for (visitor,) in site.query(
            "SELECT visitor_id::text FROM definitions_vote"
            " WHERE distinction_id = %s AND value = 1 AND NOT is_void",
            distinction_id,
        )
    }
    assert len(acknowledged) > 20
    assert set(acknowledged) <= stored
    (upvotes,) = site.query(
        "SELECT upvotes FROM definitions_distinction WHERE id = %s", distinction_id
    )[0]
    assert upvotes == len(stored)
