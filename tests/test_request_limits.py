"""Requests the site refuses politely: too large, forged, unknown, malformed or too many."""

from __future__ import annotations

import logging
import re
import socket
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


def _page_urls(comparison) -> list[str]:
    source = comparison.sources.first()
    return ["/", comparison.get_absolute_url(), source.get_absolute_url(), reverse("privacy")]


def test_a_body_over_the_limit_gets_413_with_a_plain_explanation(seeded):
    browser = Client(enforce_csrf_checks=True)
    browser.get(ADMIN_LOGIN)
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    data = {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value, "password": too_big}
    response = browser.post(ADMIN_LOGIN, data)
    assert response.status_code == 413
    html = response.content.decode()
    assert "larger than this site accepts" in html
    assert 'class="site-header"' in html


def test_a_body_over_the_limit_is_refused_even_where_csrf_is_not_checked(seeded):
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().post(ADMIN_LOGIN, {"username": "someone", "password": too_big})
    assert response.status_code == 413


def test_a_body_over_the_limit_is_logged_as_one_line_without_a_traceback(seeded, caplog):
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    urlencoded = "application/x-www-form-urlencoded"
    with caplog.at_level(logging.INFO):
        multipart = Client().post(ADMIN_LOGIN, {"password": too_big})
        form = Client().post(ADMIN_LOGIN, f"password={too_big}", content_type=urlencoded)
    assert (multipart.status_code, form.status_code) == (413, 413)
    refusals = [r for r in caplog.records if r.name == "django.security.RequestDataTooBig"]
    assert len(refusals) == 2
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text
    assert f"(POST {ADMIN_LOGIN})" in refusals[0].getMessage()


def test_too_many_form_fields_get_400_not_500(seeded):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    response = Client().post(ADMIN_LOGIN, fields)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


@pytest.mark.parametrize("token", [None, "forged-token-0123456789abcdef0123456789abcdef"])
def test_a_missing_or_forged_csrf_token_gets_the_friendly_403_page(seeded, token):
    browser = Client(enforce_csrf_checks=True)
    browser.get(ADMIN_LOGIN)
    data = {"username": "someone", "password": "secret"}
    if token:
        data["csrfmiddlewaretoken"] = token
    response = browser.post(ADMIN_LOGIN, data)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Form expired" in html
    assert "reload the page and send it again" in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/compare/no-such-comparison/",
        "/compare/social-media-vs-social-networking/sources/no-such-source/",
        "/no/such/page/",
    ],
)
def test_unknown_addresses_get_the_styled_404_page(client, seeded, path):
    assert not settings.DEBUG
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found · smsn</title>" in html
    assert 'class="site-header"' in html
    assert reverse("definitions:home") in html


HOSTILE_QUERIES = ["?q=%ff%fe", "?%00=%00", "?q=%c3%28&page=%ed%a0%80", "?sort=%00%ff", "?=&&=="]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_invalid_utf8_and_nul_bytes_in_query_strings_never_cause_a_server_error(
    client, seeded, query
):
    for url in [*_page_urls(seeded), ADMIN_LOGIN, "/readyz"]:
        response = client.get(url + query)
        assert response.status_code < 500, (url + query, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/compare/%00/",
        "/compare/social-media-vs-social-networking%00/",
        "/compare/%ff%fe/",
        "/compare/social-media-vs-social-networking/sources/%00%ff/",
        "/compare/social-media-vs-social-networking/sources/%ed%a0%80/",
        "/static/%00",
        "/static/css/site.css%00",
        "/admin/%00/",
    ],
)
def test_nul_bytes_and_invalid_utf8_in_the_path_get_a_404_not_a_server_error(client, seeded, path):
    response = client.get(path)
    assert response.status_code in (301, 302, 404), response.status_code


@pytest.mark.parametrize(
    "body",
    [
        b"username=%ff%fe&password=%00",
        b"username=\xff\xfe\x00&password=\xc3\x28",
        b"\xed\xa0\x80=\x00",
        b"%",
    ],
)
def test_invalid_utf8_and_nul_bytes_in_form_bodies_never_cause_a_server_error(seeded, body):
    response = Client().post(ADMIN_LOGIN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_unsupported_methods_get_405(client, seeded):
    for url in _page_urls(seeded):
        assert client.generic("PROPFIND", url).status_code == 405
        assert client.delete(url).status_code == 405


@pytest.fixture
def admin_account(db, settings):
    # A fast hasher: these tests sign in a dozen times each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user(
        "mod", password="correct horse battery staple", is_staff=True
    )


def _sign_in(client: Client, password: str):
    return client.post(ADMIN_LOGIN, {"username": "mod", "password": password})


def test_ten_failed_admin_sign_ins_are_answered_normally(admin_account):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0]):
        response = _sign_in(attacker, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_the_eleventh_failed_admin_sign_in_gets_the_sites_page_saying_when_to_try_again(
    admin_account,
):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0]):
        _sign_in(attacker, "wrong")
    response = _sign_in(attacker, "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "<title>Too many failed sign-ins · smsn</title>" in html
    assert '<link rel="stylesheet"' in html
    assert (
        "Too many failed sign-ins from your network, so this one was not tried. Try again in "
        "about 15 minutes." in html
    )
    assert f'href="{ADMIN_LOGIN}">Back to the sign-in page</a>' in html
    assert 13 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_a_blocked_sign_in_says_the_time_really_left(admin_account, monkeypatch):
    import time as real_time

    from smsn import middleware

    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0] + 1):
        _sign_in(attacker, "wrong")
    later = real_time.time() + 14 * 60 + 30
    monkeypatch.setattr(
        middleware, "time", type("Clock", (), {"time": staticmethod(lambda: later)})
    )
    response = _sign_in(attacker, "correct horse battery staple")
    assert response.status_code == 429
    assert "Try again in 30 seconds." in response.content.decode()
    assert 29 <= int(response["Retry-After"]) <= 30


def test_a_blocked_address_cannot_sign_in_even_with_the_right_password(admin_account):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0] + 1):
        _sign_in(attacker, "wrong")
    response = _sign_in(attacker, "correct horse battery staple")
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_a_blocked_address_does_not_lock_out_moderators_elsewhere(admin_account):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0] + 1):
        _sign_in(attacker, "wrong")
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    response = _sign_in(elsewhere, "correct horse battery staple")
    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(admin_account.pk)


def test_successful_admin_sign_ins_do_not_count_as_failures(admin_account):
    colleague = Client(REMOTE_ADDR="192.0.2.44")
    for _ in range(settings.SMSN_RATE_LIMITS["admin-sign-in"][0][0] + 2):
        assert _sign_in(colleague, "correct horse battery staple").status_code == 302
        colleague.logout()
    assert _sign_in(colleague, "wrong").status_code == 200


def _post_endpoints(comparison) -> list[str]:
    from comments.models import Comment
    from definitions.models import Distinction

    source = comparison.sources.first()
    comment = Comment.objects.filter(status="published").first()
    distinction = Distinction.objects.first()
    assert comment is not None
    assert distinction is not None
    return [
        reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug}),
        reverse(
            "comments:post_on_source",
            kwargs={"comparison_slug": comparison.slug, "slug": source.slug},
        ),
        reverse("comments:report", kwargs={"pk": comment.pk}),
        reverse("comments:edit", kwargs={"pk": comment.pk}),
        reverse("comments:delete", kwargs={"pk": comment.pk}),
        reverse("definitions:add_distinction", kwargs={"slug": comparison.slug}),
        reverse("definitions:vote", kwargs={"pk": distinction.pk}),
        ADMIN_LOGIN,
    ]


@pytest.mark.parametrize(
    "body", [b"body=%ed%a0%80", b"author_name=\xff\xfe", b"text_a=ok&text_b=%c3%28"]
)
def test_every_form_refuses_invalid_utf8_with_a_plain_400_and_saves_nothing(seeded, body):
    from comments.models import Comment, Report
    from definitions.models import Distinction, Vote

    def counts():
        return [m.objects.count() for m in (Comment, Report, Distinction, Vote)]

    before = counts()
    for url in _post_endpoints(seeded):
        response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, url
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert "not valid UTF-8" in response.content.decode()
    assert counts() == before


def test_a_form_declaring_a_legacy_encoding_is_refused_not_misread(seeded):
    # The test client encodes this text in the declared charset, so the é is the byte 0xE9.
    response = Client().post(
        ADMIN_LOGIN,
        "username=José&password=x",
        content_type="application/x-www-form-urlencoded; charset=iso-8859-1",
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()


def test_a_wrong_method_is_refused_with_a_sentence_not_a_blank_page(client, seeded):
    response = client.post(seeded.get_absolute_url())
    assert response.status_code == 405
    assert response["Content-Type"] == "text/html; charset=utf-8"
    # Set again after the body was written: CommonMiddleware had counted an empty one.
    assert int(response["Content-Length"]) == len(response.content)
    assert "This address does not accept POST requests; it accepts GET, HEAD." in (
        response.content.decode()
    )


# Multipart forms are held to the same rule as urlencoded ones.

BOUNDARY = "----smsn-test-boundary"


def _encode(fields: list[tuple[bytes, bytes]], encoding: str) -> tuple[bytes, str]:
    """Return a form body and its content type, the names and values sent byte for byte."""
    if encoding == "urlencoded":
        body = b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode()
                         for k, v in fields)  # fmt: skip
        return body, "application/x-www-form-urlencoded"
    parts = [
        b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="' + name
        + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields
    ]  # fmt: skip
    body = b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def _forms(comparison, comment_form, distinction_form, returning_visitor):
    """Return (name, client, address, fields, the text field to break, count of rows) per form."""
    from comments.models import Comment, Report
    from definitions.models import Distinction

    source = comparison.sources.first()
    author, visitor_id = returning_visitor()
    own = Comment.objects.create(
        comparison=comparison, author_name="Ada", body="As first posted.", visitor_id=visitor_id
    )
    parent = own
    comments = Comment.objects.filter(is_imported=False)
    on_source = {"comparison_slug": comparison.slug, "slug": source.slug}
    return [
        ("comment", Client(), reverse("comments:post_on_comparison", args=[comparison.slug]),
         comment_form(), "body", comments.count),
        ("comment on a source", Client(), reverse("comments:post_on_source", kwargs=on_source),
         comment_form(), "author_name", comments.count),
        ("reply", Client(), reverse("comments:post_on_comparison", args=[comparison.slug]),
         comment_form(parent=str(parent.pk)), "body", comments.count),
        ("edit", author, reverse("comments:edit", args=[own.pk]), {"body": "Changed."}, "body",
         lambda: Comment.objects.filter(body__startswith="Changed").count()),
        ("report", Client(), reverse("comments:report", args=[parent.pk]),
         {"reason": "Rude words."}, "reason", Report.objects.count),
        ("distinction", Client(), reverse("definitions:add_distinction", args=[comparison.slug]),
         distinction_form(), "text_a", Distinction.objects.from_readers().count),
    ]  # fmt: skip


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("broken", [b"\xff", b"\xed\xa0\x80", b"\xc3\x28", b"\xe9"])
@pytest.mark.parametrize("where", ["value", "name"])
def test_every_form_refuses_invalid_utf8_in_either_encoding_and_saves_nothing(
    seeded, comment_form, distinction_form, returning_visitor, encoding, broken, where
):
    for name, client, address, data, field, count in _forms(
        seeded, comment_form, distinction_form, returning_visitor
    ):
        fields = [(k.encode(), str(v).encode()) for k, v in data.items()]
        if where == "value":
            fields = [(k, v + b" " + broken + b" end" if k == field.encode() else v)
                      for k, v in fields]  # fmt: skip
        else:
            fields.append((b"extra" + broken, b"x"))
        body, content_type = _encode(fields, encoding)
        before = count()
        response = client.post(address, body, content_type=content_type)
        assert response.status_code == 400, (name, response.status_code)
        assert response["Content-Type"] == "text/plain; charset=utf-8", name
        assert "not valid UTF-8" in response.content.decode(), name
        assert count() == before, name


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_every_form_keeps_valid_text_exactly_as_sent_in_either_encoding(
    seeded, comment_form, distinction_form, returning_visitor, encoding
):
    typed = "Typed \ufffd on purpose, with é and 😀"
    for name, client, address, data, field, count in _forms(
        seeded, comment_form, distinction_form, returning_visitor
    ):
        data = {**data, field: f"{data.get(field) or ''} {typed}".strip()}
        fields = [(k.encode(), str(v).encode()) for k, v in data.items()]
        body, content_type = _encode(fields, encoding)
        before = count()
        response = client.post(address, body, content_type=content_type)
        assert response.status_code == 302, (name, response.content[:300])
        assert count() in (before, before + 1), name
    from comments.models import Comment, Report
    from definitions.models import Distinction

    assert Comment.objects.filter(body__endswith=typed).count() == 3
    assert Comment.objects.filter(author_name__endswith=typed).count() == 1
    assert Report.objects.filter(reason__endswith=typed).exists()
    assert Distinction.objects.filter(text_a__endswith=typed).exists()


# Bodies sent in chunks, through gunicorn as in production (the test client sends none).


@pytest.fixture(scope="module")
def gunicorn_site(tmp_path_factory):
    """Return the port of gunicorn serving the site with production settings (SQLite)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    base_dir = Path(__file__).resolve().parent.parent
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMSN_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="chunked-test-" + "s" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
    )
    manage = [sys.executable, str(base_dir / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["loadsources"],
        ["collectstatic", "--noinput", "-v0", "--ignore", "admin"],
    ):
        subprocess.run([*manage, *command], env=env, cwd=base_dir, check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "smsn.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=base_dir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def _send_chunked(port: int, path: str, body: bytes, headers: str = "") -> tuple[int, str]:
    """POST `body` in 64 KB chunks while reading the answer, as browsers and curl do."""
    import threading

    connection = socket.create_connection(("127.0.0.1", port), timeout=20)

    def send() -> None:
        try:
            connection.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n{headers}\r\n".encode()
            )
            for start in range(0, len(body), 65536):
                piece = body[start : start + 65536]
                connection.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the end: the answer is what counts

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    with connection:
        while chunk := connection.recv(65536):
            answer += chunk
    sender.join(20)
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), content.decode(errors="replace")


def test_a_20_mb_body_sent_in_chunks_gets_the_413_page(gunicorn_site):
    status, html = _send_chunked(gunicorn_site, "/admin/login/", b"password=" + b"x" * 20_000_000)
    assert status == 413
    assert "larger than this site accepts" in html


def test_a_small_form_sent_in_chunks_is_read_like_any_other(gunicorn_site):
    import urllib.request

    port = gunicorn_site
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=20) as response:
        cookie = response.headers["Set-Cookie"]
    token = re.search(r"csrftoken=([^;]+)", cookie)[1]
    body = f"csrfmiddlewaretoken={token}&body=Sent+in+chunks&author_name=Ada".encode()
    status, html = _send_chunked(
        port,
        "/compare/social-media-vs-social-networking/comments/post/",
        body,
        headers=f"Cookie: csrftoken={token}\r\n",
    )
    # Read, so the CSRF token was found; refused for want of the form's ticket, the text kept.
    assert status == 400
    assert "Sent in chunks" in html
    assert "This form could not be checked" in html
