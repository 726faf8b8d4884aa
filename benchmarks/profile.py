# ruff: noqa: T201 - a script printing figures
"""In-process costs of the paths the load benchmark measures, and where their time goes.

Calls Django's WSGI handler directly (the whole middleware stack, no server, no network) for
each path many times and prints the mean wall and CPU time per request; with `--profile NAME`
it prints a pyinstrument profile of that path (pyinstrument is in the dev lock). It runs against the
database and cache of the environment (DATABASE_URL, REDIS_URL), e.g. the benchmark's after a
run, or one made with benchmarks/benchdata.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smsn_bench \
      REDIS_URL=redis://127.0.0.1:6379/3 DJANGO_DEBUG=0 DJANGO_SECRET_KEY=... \
      .venv/bin/python benchmarks/profile.py [--profile vote-htmx]

Writes go to that database: votes by fresh visitors, comments and distinctions.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CSRF = "Profile" + "x" * 25
COMPARISON = "/compare/social-media-vs-social-networking/"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smsn.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def environ(method: str, path: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1",
    }
    if method == "POST":
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["HTTP_X_CSRFTOKEN"] = CSRF
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def visitor_cookie(visitor_id: uuid.UUID) -> str:
    from django.conf import settings
    from django.core import signing

    from smsn.visitors import SALT

    signer = signing.get_cookie_signer(salt=settings.SMSN_VISITOR_COOKIE + SALT)
    return f"{settings.SMSN_VISITOR_COOKIE}={signer.sign(str(visitor_id))}"


def scenarios() -> dict[str, Callable[[], Iterator[dict[str, Any]]]]:
    """Return, per path, a function yielding an endless supply of WSGI environs."""
    from comments.forms import new_ticket
    from definitions.forms import issue_token
    from definitions.models import Comparison, Distinction, Source

    comparison = Comparison.objects.get(slug=COMPARISON.strip("/").split("/")[-1])
    source = Source.objects.published().filter(comparison=comparison).order_by("position")[0]
    source_path = source.get_absolute_url()
    published = Distinction.objects.published().filter(comparison=comparison)
    ids = list(published.values_list("pk", flat=True)[:500])
    cookies = [visitor_cookie(uuid.uuid4()) for _ in range(2000)]
    csrf = f"csrftoken={CSRF}"

    def get(path: str, cookie: str = "") -> Callable[[], Iterator[dict[str, Any]]]:
        def make() -> Iterator[dict[str, Any]]:
            while True:
                yield environ("GET", path, cookie=cookie) if cookie else environ("GET", path)

        return make

    def votes(htmx: bool) -> Iterator[dict[str, Any]]:
        i = 0
        while True:
            i += 1
            body = f"value={('1', '-1', '0', '1')[i % 4]}".encode()
            headers = {"cookie": f"{csrf}; {cookies[i % len(cookies)]}"}
            if htmx:
                headers["hx-request"] = "true"
            path = f"/distinctions/{ids[(i * 7919) % len(ids)]}/vote/"
            yield environ("POST", path, body, **headers)

    def comments() -> Iterator[dict[str, Any]]:
        issued = time.time() - 60
        i = 0
        while True:
            i += 1
            body = urlencode(
                {
                    "body": f"Comment {i} from the profile: {uuid.uuid4().hex[:12]} reads well.",
                    "author_name": f"Profile {i}",
                    "ticket": new_ticket(issued),
                }
            ).encode()
            yield environ("POST", COMPARISON + "comments/post/", body, cookie=csrf)

    def distinctions() -> Iterator[dict[str, Any]]:
        issued = time.time() - 60
        i = 0
        while True:
            i += 1
            body = urlencode(
                {
                    "text_a": f"Media number {i} is what gets published {uuid.uuid4().hex[:8]}.",
                    "text_b": f"Networking number {i} is the people who talk back.",
                    "axis_a": "content",
                    "axis_b": "people",
                    "author_name": f"Profile {i}",
                    "token": issue_token(comparison, issued_at=issued),
                }
            ).encode()
            yield environ("POST", COMPARISON + "distinctions/", body, cookie=csrf)

    return {
        "healthz": get("/healthz"),
        "comparison": get(COMPARISON),
        "source": get(source_path),
        "vote-htmx": lambda: votes(True),
        "vote-form": lambda: votes(False),
        "comment": comments,
        "distinction": distinctions,
    }


def run(app: Any, supply: Iterator[dict[str, Any]], n: int) -> tuple[float, float, set[str]]:
    statuses: set[str] = set()

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        statuses.add(status)

    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = app(next(supply), start_response)
        b"".join(response)
        response.close()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", help="print a pyinstrument profile of this path")
    parser.add_argument("-n", type=int, default=300, help="requests per path")
    args = parser.parse_args()
    setup()
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    paths = scenarios()
    if args.profile:
        from pyinstrument import Profiler

        supply = paths[args.profile]()
        run(app, supply, 20)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        run(app, supply, args.n)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    for name, make in paths.items():
        supply = make()
        run(app, supply, 20)
        wall, cpu, statuses = run(app, supply, args.n)
        print(f"{name:12} {wall * 1000:6.2f} ms wall {cpu * 1000:6.2f} ms CPU  {sorted(statuses)}")


if __name__ == "__main__":
    main()
