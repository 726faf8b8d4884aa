# ruff: noqa: T201, RUF001, ISC004, E501 - a script printing a table with the ratio sign
"""Load benchmark: the site served the production way, driven by wrk from a second process.

Every figure is reported as a ratio of a trivial reference view (/healthz: a few bytes, no
database, the full middleware stack) measured in the same run, so the ratios say something
about our code rather than about the machine. Run it with `./bin/benchmark`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The database and Redis database it recreates (BENCH_DB, BENCH_REDIS_DB to keep two runs apart).
DB_NAME = os.environ.get("BENCH_DB", "smsn_bench")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "3")
PORT = int(os.environ.get("BENCH_PORT", "8790"))
BASE = f"http://127.0.0.1:{PORT}"
COMPARISON = "/compare/social-media-vs-social-networking/"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    # /healthz's rate measured just before this one: the machine as it was at the time.
    adjacent_rps: float | None = None

    def ratio(self, reference: Result) -> float:
        """Return the rate as a ratio of the adjacent /healthz, else of `reference`."""
        return self.rps / (self.adjacent_rps or reference.rps)


def env() -> dict[str, str]:
    e = dict(os.environ)
    # The server and the management commands run with the site's statement timeout.
    e.pop("SMSN_DB_STATEMENT_TIMEOUT_MS", None)
    e.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG_ADMIN_URL}/{DB_NAME}",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        DJANGO_SECURE_SSL_REDIRECT="0",
        SMSN_TRUSTED_PROXY_COUNT="0",
        # The benchmark's many "visitors" share 127.0.0.1: lift the per-IP limits for this run only.
        SMSN_RATE_LIMIT_MULTIPLIER="100000",
        SMSN_COMMENT_MIN_SECONDS="0",
        SMSN_DISTINCTION_MIN_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return e


SECRET = "bench-" + secrets.token_urlsafe(48)


def manage(*args: str) -> str:
    out = subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )
    return out.stdout


def django_setup() -> None:
    os.environ.update(env())
    # This process only writes the large data set: its bulk statements and commit may take
    # longer than the site's statement timeout on a busy machine (the server keeps it).
    os.environ["SMSN_DB_STATEMENT_TIMEOUT_MS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smsn.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(  # noqa: S603
        ["redis-cli", "-n", REDIS_DB, "FLUSHDB"],  # noqa: S607
        check=False,
        capture_output=True,
    )
    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    manage("collectstatic", "--noinput", "-v0")
    manage("loadsources")


def workers() -> int:
    return 2 * (os.cpu_count() or 1)


def start_server() -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).parent / "gunicorn"),
            "smsn.wsgi",
            "--workers",
            str(workers()),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def worker_memory_mb(proc: subprocess.Popen) -> list[float]:
    """Return the resident memory of each gunicorn worker (children of the master)."""
    out = subprocess.run(  # noqa: S603
        ["ps", "-o", "rss=", "--ppid", str(proc.pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [int(x) / 1024 for x in out.split()]


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    name: str, path: str, *, seconds: int, connections: int = 16, lua: str = "", base: str = BASE
) -> Result:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(lua)
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run(  # noqa: S603
        [*cmd, base + path], capture_output=True, text=True, check=True
    ).stdout
    if script:
        os.unlink(script.name)
    rps = float(_wrk_figure(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))

    def parse(v: str) -> float:
        m = re.match(r"([\d.]+)(\w+)", v)
        if m is None:
            raise ValueError(f"wrk printed a latency that is not a number and unit: {v!r}")
        return _ms(m.group(1), m.group(2))

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    total = int(_wrk_figure(r"(\d+) requests in", out).group(1))
    return Result(name, rps, parse(lat["50"]), parse(lat["99"]), errors, total)


def _wrk_figure(pattern: str, out: str) -> re.Match[str]:
    """Return the match of a figure wrk always prints, or fail saying what it printed instead."""
    match = re.search(pattern, out)
    if match is None:
        raise ValueError(f"wrk's output has no {pattern!r}:\n{out}")
    return match


def signed_visitor_cookie(visitor_id: uuid.UUID) -> str:
    from django.conf import settings
    from django.core import signing

    from smsn.visitors import SALT

    signer = signing.get_cookie_signer(salt=settings.SMSN_VISITOR_COOKIE + SALT)
    return signer.sign(str(visitor_id))


def lua_headers(headers: dict[str, str]) -> str:
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def compressed_size(path: str, encoding: str) -> tuple[int, dict[str, str]]:
    req = urllib.request.Request(BASE + path, headers={"Accept-Encoding": encoding})  # noqa: S310
    with urllib.request.urlopen(req) as resp:  # noqa: S310
        body = resp.read()
        return len(body), dict(resp.headers)


def page_weight() -> dict[str, object]:
    """Measure the comparison page's compressed HTML and first-load CSS/JS."""
    with urllib.request.urlopen(BASE + COMPARISON) as resp:  # noqa: S310
        html = resp.read().decode()
    html_gz = len(gzip.compress(html.encode(), 6))
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    external = re.findall(r'(?:href|src)="(https?://[^"]+)"', html)
    external = [u for u in external if not u.startswith(BASE)]
    total = html_gz
    static = []
    for a in assets:
        br, h_br = compressed_size(a, "br")
        gz, h_gz = compressed_size(a, "gzip")
        total += br
        static.append(
            {
                "path": a,
                "br_bytes": br,
                "gzip_bytes": gz,
                "br": h_br.get("Content-Encoding") == "br",
                "gzip": h_gz.get("Content-Encoding") == "gzip",
                "cache_control": h_br.get("Cache-Control", ""),
                "hashed": bool(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a)),
            }
        )
    loaded_from_other_hosts = [u for u in external if "rel=" not in u]
    return {
        "html_gzip_bytes": html_gz,
        "first_load_bytes": total,
        "static": static,
        "links_to_other_hosts": loaded_from_other_hosts,
    }


CSRF = "Bench" + "x" * 27  # 32 alphanumeric characters: a valid unmasked CSRF secret.
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def warm(
    path: str, headers: dict[str, str] | None = None, times: int = 20, base: str = BASE
) -> None:
    """Fetch a page a few times so every worker has imported, connected and cached."""
    import ssl

    # The proxy's certificate is a throwaway one made for this run.
    context = ssl._create_unverified_context()  # noqa: S323
    for _ in range(times):
        req = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310
        with urllib.request.urlopen(req, context=context) as resp:  # noqa: S310
            resp.read()


def measure(
    name: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    lua: str = "",
    base: str = BASE,
) -> Result:
    if not lua:
        warm(path, headers, base=base)
    # The reference again just before, through the same door: on a machine shared with other
    # work its speed drifts within a run, and the ratio to the adjacent one drifts less.
    adjacent = wrk("/healthz", "/healthz", seconds=max(3, SECONDS // 2), base=base)
    script = lua_headers(headers or {}) + lua
    result = wrk(name, path, seconds=SECONDS, lua=script, base=base)
    result.adjacent_rps = adjacent.rps
    print(
        f"  {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.errors} errors, "
        f"{result.rps / adjacent.rps:.2f}× the /healthz just before ({adjacent.rps:.0f} req/s)",
        flush=True,
    )
    return result


def wrk_reference(name: str) -> Result:
    """Measure the reference, /healthz, for the whole measurement time."""
    warm("/healthz")
    result = wrk(name, "/healthz", seconds=SECONDS)
    print(f"  {name}: {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms", flush=True)
    return result


def voter_cookie(votes: int = 25) -> str:
    """Create a visitor who voted on the sources' and the first readers' distinctions, and
    placed every point of the key differences."""
    from definitions.models import Comparison, Distinction
    from definitions.placements import place
    from definitions.votes import cast_vote

    comparison = Comparison.objects.get(slug=COMPARISON.strip("/").split("/")[-1])
    visitor_id = uuid.uuid4()
    listed = list(Distinction.objects.listed_for(comparison, None)[:votes])
    sourced = [s.public_distinction for s in comparison.published_sources()]
    for i, distinction in enumerate([d for d in sourced if d] + listed):
        cast_vote(
            distinction_id=distinction.pk,
            visitor_id=visitor_id,
            ip_hash="bench",
            value=1 - 2 * (i % 2),
        )
    for i, dimension in enumerate(comparison.dimensions.all()):
        place(dimension=dimension, visitor=visitor_id, value=("a", "both", "b")[i % 3])
    return signed_visitor_cookie(visitor_id)


def vote_lua(n_visitors: int = 2000, *, htmx: bool = True) -> str:
    """Return a wrk script: each request votes as one of many visitors on one of many distinctions.

    With `htmx` the vote is sent as htmx sends it (the answer is the vote form); without, as the
    plain form (the answer is a redirect to the distinction's place in the listing).
    """
    from definitions.models import Distinction

    ids = list(
        Distinction.objects.published()
        .filter(comparison__slug=COMPARISON.strip("/").split("/")[-1])
        .values_list("pk", flat=True)[:500]
    )
    cookies = [signed_visitor_cookie(uuid.uuid4()) for _ in range(n_visitors)]
    return (
        "local cookies = {" + ",".join(json.dumps(c) for c in cookies) + "}\n"
        "local ids = {" + ",".join(str(i) for i in ids) + "}\n"
        "local values = {'1', '-1', '0', '1'}\n"
        # Each wrk thread has its own Lua state: interleave their sequences, so two threads never
        # replay the same visitor on the same distinction at the same moment.
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  local i = n + tid\n"
        "  local c = cookies[(i % #cookies) + 1]\n"
        "  local id = ids[((i * 7919) % #ids) + 1]\n"
        "  local body = 'value=' .. values[(i % #values) + 1]\n"
        "  local headers = {}\n"
        "  headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"  headers['X-CSRFToken'] = '{CSRF}'\n"
        + ("  headers['HX-Request'] = 'true'\n" if htmx else "")
        + f"  headers['Cookie'] = 'csrftoken={CSRF}; {settings_cookie_name()}=' .. c\n"
        "  return wrk.format('POST', '/distinctions/' .. id .. '/vote/', headers, body)\n"
        "end\n"
    )


def placement_lua(n_visitors: int = 2000) -> str:
    """Return a wrk script: each request places one of the points as one of many visitors,
    measured like a vote (vote_lua): htmx, so the answer is the point's placement block."""
    from definitions.models import Dimension

    ids = list(
        Dimension.objects.filter(comparison__slug=COMPARISON.strip("/").split("/")[-1]).values_list(
            "pk", flat=True
        )
    )
    cookies = [signed_visitor_cookie(uuid.uuid4()) for _ in range(n_visitors)]
    return (
        "local cookies = {" + ",".join(json.dumps(c) for c in cookies) + "}\n"
        "local ids = {" + ",".join(str(i) for i in ids) + "}\n"
        "local values = {'a', 'both', 'b', 'withdraw', 'a'}\n"
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  local i = n + tid\n"
        "  local c = cookies[(i % #cookies) + 1]\n"
        "  local id = ids[((i * 7919) % #ids) + 1]\n"
        "  local body = 'value=' .. values[(i % #values) + 1]\n"
        "  local headers = {}\n"
        "  headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"  headers['X-CSRFToken'] = '{CSRF}'\n"
        "  headers['HX-Request'] = 'true'\n"
        f"  headers['Cookie'] = 'csrftoken={CSRF}; {settings_cookie_name()}=' .. c\n"
        "  return wrk.format('POST', '/points/' .. id .. '/place/', headers, body)\n"
        "end\n"
    )


def answer_lua(n_visitors: int = 2000) -> str:
    """Return a wrk script: each request answers an example as one of many visitors (htmx)."""
    from definitions.models import Example

    ids = list(
        Example.objects.published()
        .filter(comparison__slug=COMPARISON.strip("/").split("/")[-1])
        .values_list("pk", flat=True)
    )
    if not ids:
        raise SystemExit("No published example to benchmark: load the sources first.")
    cookies = [signed_visitor_cookie(uuid.uuid4()) for _ in range(n_visitors)]
    return (
        "local cookies = {" + ",".join(json.dumps(c) for c in cookies) + "}\n"
        "local ids = {" + ",".join(str(i) for i in ids) + "}\n"
        "local values = {'a', 'both', 'b', 'neither', 'a'}\n"
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  local i = n + tid\n"
        "  local c = cookies[(i % #cookies) + 1]\n"
        "  local id = ids[((i * 7919) % #ids) + 1]\n"
        "  local body = 'value=' .. values[(i % #values) + 1]\n"
        "  local headers = {}\n"
        "  headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"  headers['X-CSRFToken'] = '{CSRF}'\n"
        "  headers['HX-Request'] = 'true'\n"
        f"  headers['Cookie'] = 'csrftoken={CSRF}; {settings_cookie_name()}=' .. c\n"
        "  return wrk.format('POST', '/examples/' .. id .. '/answer/', headers, body)\n"
        "end\n"
    )


def exact_placement_counts() -> tuple[bool, int]:
    """Return whether every point's stored placement counts equal its rows, and the mismatches."""
    from django.db.models import Count, Q

    from definitions.models import Dimension

    wrong = (
        Dimension.objects.annotate(
            a=Count("placements", filter=Q(placements__value="a", placements__is_void=False)),
            both=Count("placements", filter=Q(placements__value="both", placements__is_void=False)),
            b=Count("placements", filter=Q(placements__value="b", placements__is_void=False)),
        )
        .exclude(placed_a=models_f("a"), placed_both=models_f("both"), placed_b=models_f("b"))
        .count()
    )
    return wrong == 0, wrong


def smoke_placements() -> None:
    """Run the placement POST scenario alone on the seed data, briefly: does it work?"""
    print(f"Resetting {DB_NAME} ...", flush=True)
    reset_database()
    django_setup()
    script = placement_lua(200)
    proc = start_server()
    try:
        result = measure("placement POST (smoke)", "/", lua=script)
    finally:
        stop_server(proc)
    exact, wrong = exact_placement_counts()
    from definitions.models import Placement

    print(f"  {Placement.objects.count()} placements stored; {wrong} points with wrong counts")
    if result.errors or not result.requests or not exact:
        raise SystemExit("placement POST smoke failed")


def exact_answer_counts() -> int:
    """Return how many examples' stored answer counts differ from their counted answer rows."""
    from django.db.models import Count, Q

    from definitions.models import Example, Verdict

    counted = Example.objects.annotate(
        **{
            f"rows_{v}": Count("answers", filter=Q(answers__value=v, answers__is_void=False))
            for v in Verdict.values
        }
    )
    return sum(
        1 for e in counted if any(getattr(e, f"rows_{v}") != e.count_of(v) for v in Verdict.values)
    )


def settings_cookie_name() -> str:
    from django.conf import settings

    return settings.SMSN_VISITOR_COOKIE


def comment_lua(n: int = 20000) -> str:
    """Return a wrk script posting pre-signed, distinct comment forms (one ticket each)."""
    from urllib.parse import urlencode

    from comments.forms import new_ticket

    issued = time.time() - 60
    bodies = []
    for i in range(n):
        words = f"Comment number {i} on the benchmark: {uuid.uuid4().hex[:12]} reads well."
        bodies.append(
            urlencode(
                {
                    "body": words,
                    "author_name": f"Bench {i}",
                    "author_url": "",
                    "author_email": "",
                    "homepage": "",
                    "ticket": new_ticket(issued),
                }
            )
        )
    path = COMPARISON + "comments/post/"
    return (
        "local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\n"
        # Each wrk thread has its own Lua state: give each its own half of the forms.
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  local i = n + tid\n"
        "  local headers = {}\n"
        "  headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"  headers['X-CSRFToken'] = '{CSRF}'\n"
        f"  headers['Cookie'] = 'csrftoken={CSRF}'\n"
        f"  return wrk.format('POST', '{path}', headers, bodies[(i % #bodies) + 1])\n"
        "end\n"
    )


def search_path(query: str, **params: str) -> str:
    from urllib.parse import urlencode

    return "/search/?" + urlencode({"q": query, **params})


def search_lua(n: int = 8000) -> str:
    """Return a wrk script searching for a different query each request (so none is cached).

    Three words of the large data set's vocabulary each, on every comparison or on the first,
    of every kind or of one: each finds most of the 20,000 comments and ranks them.
    """
    import itertools
    import random

    from benchmarks.benchdata import WORDS

    rng = random.Random(7)
    triples = list(itertools.permutations(WORDS, 3))
    rng.shuffle(triples)
    slug = COMPARISON.strip("/").split("/")[-1]
    variants = [{}, {"comparison": slug}, {"kind": "comments", "page": "2"}]
    paths = [
        search_path(" ".join(words), **variants[i % len(variants)])
        for i, words in enumerate(triples[:n])
    ]
    return (
        "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        # Each wrk thread has its own Lua state: give each its own half of the queries.
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  return wrk.format('GET', paths[((n + tid) % #paths) + 1])\n"
        "end\n"
    )


def distinction_lua(n: int = 5000) -> str:
    """Return a wrk script posting pre-signed, distinct readers' distinction forms (no JavaScript)."""
    from urllib.parse import urlencode

    from definitions.forms import issue_token
    from definitions.models import Comparison

    comparison = Comparison.objects.get(slug=COMPARISON.strip("/").split("/")[-1])
    issued = time.time() - 60
    bodies = [
        urlencode(
            {
                "text_a": f"Media, take {i}: what is published to many {uuid.uuid4().hex[:8]}.",
                "text_b": f"Networking, take {i}: the people who answer each other.",
                "axis_a": "content",
                "axis_b": "people",
                "author_name": f"Bench reader {i}",
                "homepage": "",
                "token": issue_token(comparison, issued_at=issued),
            }
        )
        for i in range(n)
    ]
    path = COMPARISON + "distinctions/"
    return (
        "local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\n"
        "local threads = 0\n"
        "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 2\n"
        "  local i = n + tid\n"
        "  local headers = {}\n"
        "  headers['Content-Type'] = 'application/x-www-form-urlencoded'\n"
        f"  headers['X-CSRFToken'] = '{CSRF}'\n"
        f"  headers['Cookie'] = 'csrftoken={CSRF}'\n"
        f"  return wrk.format('POST', '{path}', headers, bodies[(i % #bodies) + 1])\n"
        "end\n"
    )


def search_only() -> None:
    """Measure search alone on the large data set (`run.py --only search`), and print it."""
    print(f"Resetting {DB_NAME} ...", flush=True)
    reset_database()
    django_setup()
    from benchmarks.benchdata import generate

    print(f"  {generate()}", flush=True)
    # The statistics autovacuum gathers in production within a minute of such a bulk insert.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    script = search_lua()
    slug = COMPARISON.strip("/").split("/")[-1]
    proc = start_server()
    try:
        results = [
            measure("/healthz (reference)", "/healthz"),
            measure("search, a popular query (cached)", search_path("social network")),
            measure(
                "search, a popular query in one comparison (cached)",
                search_path("conversation friends", comparison=slug),
            ),
            measure("search, a different query each request (uncached)", "/", lua=script),
        ]
    finally:
        stop_server(proc)
    print()
    print(search_table(results))


def search_table(results: list[Result]) -> str:
    reference = results[0]
    lines = [
        table(results, reference, reference),
        "",
        "| target | figure | verdict |",
        "|---|---|---|",
    ]
    for r in results[1:]:
        lines.append(
            f"| {r.name}: p99 < 50 ms, no errors | {r.p99_ms:.1f} ms, {r.errors} errors | "
            f"{verdict(r.p99_ms < 50 and r.errors == 0)} |"
        )
    return "\n".join(lines)


def commenter_cookie(source_id: int) -> str:
    """Create a visitor with a comment of their own on a source; return their cookie."""
    from comments.actions import post_comment
    from definitions.models import Source

    visitor_id = uuid.uuid4()
    post_comment(
        target=Source.objects.select_related("comparison").get(pk=source_id),
        visitor_id=visitor_id,
        ip_hash="bench",
        author_name="Bench commenter",
        body="My own comment on this source, which only I may edit.",
    )
    return signed_visitor_cookie(visitor_id)


def proxied(measurements: list[tuple[str, str]], directory: Path) -> list[tuple[Result, Result]]:
    """Measure paths through the repository's nginx config (https, gzip) in front of the app,
    each right after the same path direct: return (direct, via nginx) pairs.

    nginx is started as the topology test starts it (tests/topology/harness.py), on free
    loopback ports of its own. Returns no results when Debian's nginx is not installed.
    """
    sys.path.insert(0, str(ROOT))
    from tests.topology import harness

    binary = harness.nginx_binary()
    if binary is None:
        print("  nginx is not installed (apt-get install nginx): no proxy figures", flush=True)
        return []
    cert, key = harness.make_certificate(directory)
    proxy = harness.start_nginx(binary, directory, cert, key, [f"127.0.0.1:{PORT}"])
    base = f"https://127.0.0.1:{proxy.https_port}"
    gzip = lua_headers({"Accept-Encoding": "gzip"})
    pairs = []
    try:
        for name, path in measurements:
            warm(path, {"Accept-Encoding": "gzip"}, base=base)
            direct = wrk(f"direct: {name}", path, seconds=SECONDS, lua=gzip)
            via = wrk(
                f"via nginx (https, gzip): {name}", path, seconds=SECONDS, lua=gzip, base=base
            )
            print(
                f"  {name}: direct {direct.rps:.0f} req/s, via nginx {via.rps:.0f} req/s "
                f"(p99 {via.p99_ms:.1f} ms, {via.errors} errors): {via.rps / direct.rps:.2f}",
                flush=True,
            )
            pairs.append((direct, via))
    finally:
        proxy.stop()
    return pairs


def exact_counts() -> tuple[bool, int]:
    """Return whether every distinction's stored counts equal its vote rows, and the mismatches."""
    from django.db.models import Count, Q

    from definitions.models import Distinction

    wrong = (
        Distinction.objects.annotate(
            up=Count("votes", filter=Q(votes__value=1, votes__is_void=False)),
            down=Count("votes", filter=Q(votes__value=-1, votes__is_void=False)),
        )
        .exclude(upvotes=models_f("up"), downvotes=models_f("down"))
        .count()
    )
    return wrong == 0, wrong


def models_f(name: str):
    from django.db.models import F

    return F(name)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}; `{' '.join(platform.uname())}`"


def table(results: list[Result], reference: Result, seed_ref: Result) -> str:
    lines = [
        "| measurement | req/s | p50 ms | p99 ms | errors | requests | × reference "
        "| /healthz just before | × that |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ref = seed_ref if r.name.startswith("seed:") else reference
        adjacent = (
            f"{r.adjacent_rps:.0f} | {r.rps / r.adjacent_rps:.2f}" if r.adjacent_rps else "| "
        )
        lines.append(
            f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | "
            f"{r.requests} | {r.rps / ref.rps:.2f} | {adjacent} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-data", action="store_true", help="only the seed-data phase")
    parser.add_argument(
        "--only", choices=["search"], help="measure one scenario alone on the large data set"
    )
    parser.add_argument(
        "--smoke-placements",
        action="store_true",
        help="only the placement POST scenario, on the seed data (BENCH_SECONDS long)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run ./bin/benchmark, which installs it, or apt-get install wrk")
    run_started = time.monotonic()
    if args.only == "search":
        search_only()
        return
    if args.smoke_placements:
        smoke_placements()
        return
    print(f"Resetting {DB_NAME} ...", flush=True)
    reset_database()
    django_setup()
    from definitions.models import Source

    results: list[Result] = []
    print("Seed data only:", flush=True)
    proc = start_server()
    try:
        seed_ref = wrk_reference("seed: /healthz (reference)")
        seed_cmp = measure("seed: comparison, new visitor", COMPARISON)
        seed_source_path = Source.objects.published().order_by("position")[0].get_absolute_url()
        seed_source = measure("seed: source page, new visitor", seed_source_path)
        results += [seed_ref, seed_cmp, seed_source]
    finally:
        stop_server(proc)
    if args.skip_data:
        print(table(results, seed_ref, seed_ref))
        return
    print("Generating the large data set (benchdata) ...", flush=True)
    started = time.monotonic()
    from benchmarks.benchdata import generate

    print(f"  {generate()}", flush=True)
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    first_source = Source.objects.published().order_by("position").first()
    if first_source is None:
        raise SystemExit("No published source to benchmark: load the sources first.")
    source_path = first_source.get_absolute_url()
    cookie = f"{settings_cookie_name()}={voter_cookie()}"
    commenter = f"{settings_cookie_name()}={commenter_cookie(first_source.pk)}"
    vote_script = vote_lua()
    placement_script = placement_lua()
    plain_vote_script = vote_lua(htmx=False)
    answer_script = answer_lua()
    comment_script = comment_lua()
    distinction_script = distinction_lua()
    search_script = search_lua()
    print("Large data set:", flush=True)
    proc = start_server()
    try:
        reference = wrk_reference("/healthz (reference)")
        new_visitor = measure("comparison, new visitor", COMPARISON)
        voter = measure(
            "comparison, visitor with votes and placements",
            COMPARISON,
            headers={"Cookie": cookie},
        )
        source = measure("source page, new visitor", source_path)
        own_source = measure(
            "source page, visitor with own comment", source_path, headers={"Cookie": commenter}
        )
        votes = measure("vote POST, htmx (2,000 visitors)", "/", lua=vote_script)
        plain_votes = measure("vote POST, no JS (2,000 visitors)", "/", lua=plain_vote_script)
        counts_exact, wrong = exact_counts()
        placements = measure("placement POST (2,000 visitors)", "/", lua=placement_script)
        placements_exact, wrong_points = exact_placement_counts()
        answers = measure("example answer POST (2,000 visitors)", "/", lua=answer_script)
        wrong_answers = exact_answer_counts()
        print(f"  examples whose answer counts differ from their rows: {wrong_answers}")
        comments = measure("comment POST", "/", lua=comment_script)
        distinctions = measure("distinction POST", "/", lua=distinction_script)
        searches = [
            measure("search, a popular query (cached)", search_path("social network")),
            measure("search, a different query each request (uncached)", "/", lua=search_script),
        ]
        weight = page_weight()
        memory = worker_memory_mb(proc)
        with tempfile.TemporaryDirectory(prefix="smsn-bench-nginx-") as directory:
            through_proxy = proxied(
                [
                    ("/healthz", "/healthz"),
                    ("comparison, new visitor", COMPARISON),
                    ("source page, new visitor", source_path),
                ],
                Path(directory),
            )
    finally:
        stop_server(proc)
    results += [reference, new_visitor, voter, source, own_source, votes, plain_votes]
    results += [placements, answers, comments, distinctions, *searches]
    results += [via for _, via in through_proxy]
    report = render(
        results,
        reference,
        seed_ref,
        seed_cmp,
        seed_source,
        weight,
        memory,
        counts_exact,
        wrong,
        {
            "new_visitor": new_visitor,
            "voter": voter,
            "source": source,
            "own_source": own_source,
            "votes": votes,
            "plain_votes": plain_votes,
            "comments": comments,
            "distinctions": distinctions,
            "answers": answers,
        },
        through_proxy,
        time.monotonic() - run_started,
        searches,
        placements,
        placements_exact,
        wrong_points,
    )
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(report + "\n")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def render(
    results: list[Result],
    reference: Result,
    seed_ref: Result,
    seed_cmp: Result,
    seed_source: Result,
    weight: dict,
    memory: list[float],
    counts_exact: bool,
    wrong: int,
    large: dict[str, Result],
    through_proxy: list[tuple[Result, Result]],
    duration: float,
    searches: list[Result],
    placements: Result,
    placements_exact: bool,
    wrong_points: int,
) -> str:
    def ratio(r: Result) -> float:
        return r.ratio(reference)

    def rate_target(label: str, r: Result, least: float, p99: float | None = None) -> list[str]:
        rows = [
            f"| {label} ≥ {least}× reference | {ratio(r):.2f}× | "
            f"{verdict(ratio(r) >= least and r.errors == 0)} |"
        ]
        if p99 is not None:
            rows.append(
                f"| {label} p99 < {p99:.0f} ms | {r.p99_ms:.1f} ms | {verdict(r.p99_ms < p99)} |"
            )
        return rows

    new_visitor, source = large["new_visitor"], large["source"]
    growth = new_visitor.ratio(reference) / seed_cmp.ratio(seed_ref)
    source_growth = source.ratio(reference) / seed_source.ratio(seed_ref)
    static = weight["static"]
    static_ok = all(
        s["br"] and s["gzip"] and "max-age=31536000" in s["cache_control"] and s["hashed"]
        for s in static
    )
    errors = sum(r.errors for r in results)
    lines = [
        "# Load benchmark: latest figures",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `./bin/benchmark` "
        f"({duration / 60:.1f} minutes): gunicorn, "
        f"{workers()} workers, DEBUG off, PostgreSQL, Redis cache; wrk, 2 threads, 16 connections, "
        f"{SECONDS} s per measurement, on 127.0.0.1.",
        f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "Rows starting `seed:` ran with only the five seed sources (ratio to the seed reference);",
        "the others with 2,000 distinctions, 20,000 comments and 200,000 votes. Rows starting",
        "`via nginx` went through the repository's nginx config (https, gzip) to the same server.",
        "Each measurement is preceded by /healthz for half its time (through the same door):",
        "the targets and growth use the ratio to that adjacent reference, which drifts less than",
        "the run's when the machine is shared.",
        "",
        table(results, reference, seed_ref),
        "",
        "| target | figure | verdict |",
        "|---|---|---|",
        *rate_target("comparison, new visitor", new_visitor, 0.5, 50),
        *rate_target("comparison with own votes", large["voter"], 0.35),
        *rate_target("source page, new visitor", source, 0.5, 50),
        *rate_target("source page with own comment", large["own_source"], 0.3),
        *rate_target("vote POST, htmx", large["votes"], 0.2, 50),
        *rate_target("vote POST, no JS", large["plain_votes"], 0.2, 50),
        f"| vote counts exact after the vote phases | {wrong} distinctions wrong | "
        f"{verdict(counts_exact)} |",
        *rate_target("comment POST", large["comments"], 0.1),
        f"| distinction POST (measured, no target) | {ratio(large['distinctions']):.2f}× | "
        f"{verdict(large['distinctions'].errors == 0)} |",
        f"| errors in every measurement | {errors} | {verdict(errors == 0)} |",
        f"| growth (large / seed comparison ratio) ≥ 0.8 | {growth:.2f} | {verdict(growth >= 0.8)} |",
        f"| growth (large / seed source page ratio) ≥ 0.8 | {source_growth:.2f} | "
        f"{verdict(source_growth >= 0.8)} |",
        *rate_target("placement POST", placements, 0.2, 50),
        *rate_target("example answer POST", large["answers"], 0.2, 50),
        f"| placement counts exact after the placement phase | {wrong_points} points wrong | "
        f"{verdict(placements_exact)} |",
        f"| comparison HTML < 25 KB gzip | {weight['html_gzip_bytes'] / 1024:.1f} KB | "
        f"{verdict(weight['html_gzip_bytes'] < 25 * 1024)} |",
        f"| first load (HTML + CSS + JS) < 80 KB compressed | "
        f"{weight['first_load_bytes'] / 1024:.1f} KB | "
        f"{verdict(weight['first_load_bytes'] < 80 * 1024)} |",
        f"| static files: br + gzip, 1-year Cache-Control, hashed names | "
        f"{', '.join(s['path'].rsplit('/', 1)[-1] for s in static)} | {verdict(static_ok)} |",
        f"| no subresource from another host | {weight['links_to_other_hosts'] or 'none'} | "
        f"{verdict(not weight['links_to_other_hosts'])} |",
        f"| worker RSS < 150 MB | {', '.join(f'{m:.0f}' for m in memory)} MB | "
        f"{verdict(bool(memory) and max(memory) < 150)} |",
        *(
            f"| {r.name}: p99 < 50 ms, no errors | {r.p99_ms:.1f} ms, {r.errors} errors | "
            f"{verdict(r.p99_ms < 50 and r.errors == 0)} |"
            for r in searches
        ),
    ]
    if through_proxy:
        lines += [
            "",
            "The proxy's cost: each path measured direct (plain http) and at once through nginx",
            "(https, gzip; TLS handshakes only when wrk connects, as a browser keeps its",
            "connection), both asking for gzip.",
            "",
            "| path | direct req/s | via nginx req/s | via nginx p99 ms | via nginx / direct |",
            "|---|---:|---:|---:|---:|",
        ]
        for direct, via in through_proxy:
            lines.append(
                f"| {via.name.split(': ', 1)[1]} | {direct.rps:.0f} | {via.rps:.0f} | "
                f"{via.p99_ms:.1f} | {via.rps / direct.rps:.2f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
