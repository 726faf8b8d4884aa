"""The production shape on this machine: Debian's nginx, run with the repository's own config
(deploy/nginx/smsn.conf.template, rendered as the nginx image renders it), in front of gunicorn
instances that share one PostgreSQL database and one Redis database.

Everything runs on loopback addresses, in a temporary directory, and is stopped by the fixture
that started it. Visitors are `Browser`s: each has its own cookies and its own loopback source
address (127.0.0.0/8 is all this machine's), so each can be a network of its own for the limits.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy" / "nginx"
TEMPLATE = DEPLOY / "smsn.conf.template"
UPSTREAMS = DEPLOY / "smsn-upstreams.conf"
CERT_SCRIPT = DEPLOY / "self-signed-cert.sh"
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of the topology test's own (0 is the site's, 15 the unit tests').
REDIS_DB = 11
GUNICORN = Path(sys.executable).parent / "gunicorn"
NGINX_MAIN = """\
# The topology test's nginx.conf: what the nginx image's own nginx.conf gives, with every path in
# the test's directory. The site is the repository's template, rendered into conf.d/.
daemon off;
{user}
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections 512;
}}
http {{
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/temp/body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    keepalive_timeout 65;
    include conf.d/smsn.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def nginx_binary() -> str | None:
    """Return Debian's nginx (in /usr/sbin, which a non-root PATH may lack), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render_template(text: str, values: dict[str, str]) -> str:
    """Substitute ${NAME} for the names given, as the nginx image's envsubst step does."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)
    left = re.findall(r"\$\{(\w+)\}", rendered)
    assert not left, f"the template needs {left}, which the test does not set"
    return rendered


def upstream_lines(addresses: list[str]) -> str:
    """Return the repository's upstream line (its parameters kept) once for each address."""
    line = next(
        row.strip()
        for row in UPSTREAMS.read_text().splitlines()
        if row.strip().startswith("server")
    )
    params = " ".join(line.rstrip(";").split()[2:])
    return "".join(f"server {address} {params};\n" for address in addresses)


def manage(env: dict[str, str], *args: str, cwd: Path = BASE_DIR) -> None:
    """Run a management command the way an operator would; fail with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"


@dataclass
class Instance:
    """One app instance: a gunicorn master and its workers, in a process group of their own."""

    name: str
    port: int
    process: subprocess.Popen
    access_log: Path
    error_log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def served(self, marker: str) -> bool:
        """Return True if this instance's access log shows the request marked `marker`."""
        return marker in self.access_log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crashed machine would go."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def start_instance(
    name: str, env: dict[str, str], directory: Path, *, cwd: Path = BASE_DIR, workers: int = 2
) -> Instance:
    """Start gunicorn as the Dockerfile does and wait until it answers its health check."""
    port = free_port()
    access_log, error_log = directory / f"{name}-access.log", directory / f"{name}-error.log"
    access_log.touch()
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "smsn.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            "--graceful-timeout",
            "3",
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    instance = Instance(name, port, process, access_log, error_log)
    deadline = time.monotonic() + 60
    while True:
        if not instance.alive():
            raise RuntimeError(f"gunicorn {name} exited:\n{error_log.read_text()}")
        with contextlib.suppress(OSError):
            # Plain http and no proxy headers: the health check is exempt from the redirect.
            if Browser.plain_status(f"{instance.url}/healthz") == 200:
                return instance
        if time.monotonic() > deadline:
            instance.stop()
            raise RuntimeError(f"gunicorn {name} did not answer:\n{error_log.read_text()}")
        time.sleep(0.1)


@dataclass
class Nginx:
    directory: Path
    process: subprocess.Popen
    https_port: int
    http_port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_nginx(binary: str, directory: Path, cert: Path, key: Path, upstreams: list[str]) -> Nginx:
    """Render the repository's template for loopback ports and start nginx in the foreground."""
    https_port, http_port = free_port(), free_port()
    (directory / "conf.d").mkdir(parents=True, exist_ok=True)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "temp" / temp).mkdir(parents=True, exist_ok=True)
    (directory / "conf.d" / "smsn.conf").write_text(
        render_template(
            TEMPLATE.read_text(),
            {
                "SMSN_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                "SMSN_HTTP_LISTEN": f"127.0.0.1:{http_port}",
                "SMSN_TLS_CERT": str(cert),
                "SMSN_TLS_KEY": str(key),
            },
        )
    )
    (directory / "smsn-upstreams.conf").write_text(upstream_lines(upstreams))
    # Run as root (CI), nginx's workers would switch to "nobody", who cannot enter pytest's
    # private temporary directory.
    user = "user root;" if os.geteuid() == 0 else ""
    main = directory / "nginx.conf"
    main.write_text(NGINX_MAIN.format(dir=directory, user=user))
    command = [binary, "-p", str(directory), "-c", str(main)]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, f"nginx -t refused the rendered config:\n{check.stderr}"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = Nginx(directory, process, https_port, http_port)
    deadline = time.monotonic() + 20
    while not reachable("127.0.0.1", https_port):
        if process.poll() is not None or time.monotonic() > deadline:
            proxy.stop()
            raise RuntimeError(f"nginx did not start:\n{proxy.log()}")
        time.sleep(0.05)
    return proxy


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """Make a throwaway certificate for 127.0.0.1 with the script docker compose runs."""
    cert, key = directory / "tls" / "cert.pem", directory / "tls" / "key.pem"
    env = {**os.environ, "SMSN_TLS_CERT": str(cert), "SMSN_TLS_KEY": str(key)}
    subprocess.run(["sh", str(CERT_SCRIPT)], env=env, check=True, capture_output=True)
    return cert, key


# Pages.


class FormParser(HTMLParser):
    """Collect every form's action and the values of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag in {"input", "button"} and self.forms and "name" in values:
            if tag == "input" or values["name"] not in self.forms[-1][1]:
                self.forms[-1][1].setdefault(values["name"], values.get("value", ""))
        elif tag == "textarea" and self.forms:
            self._textarea = values.get("name")
            self.forms[-1][1][self._textarea or ""] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form(html: str, action_contains: str) -> tuple[str, dict[str, str]]:
    """Return the action and the fields of the first form whose action contains the text."""
    parser = FormParser()
    parser.feed(html)
    for action, fields in parser.forms:
        if action_contains in action:
            return action, dict(fields)
    raise AssertionError(f"no form posting to {action_contains!r} on the page")


def vote_count(html: str, distinction_id: int, direction: str = "up") -> int:
    """Return the count the page shows on a distinction's yes (or no) button."""
    found = re.search(
        rf'id="vote-{distinction_id}-{direction}".*?class="vote-count">(\d+)<', html, re.DOTALL
    )
    assert found, f"no vote button for distinction {distinction_id} on the page"
    return int(found.group(1))


# Visitors.


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    marker: str
    started: float
    url: str

    @property
    def text(self) -> str:
        body = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8", errors="replace")

    def cookie_headers(self, name: str) -> list[str]:
        return [c for c in self.headers.get_all("Set-Cookie") or [] if c.startswith(f"{name}=")]


@dataclass
class Browser:
    """One visitor's browser: cookies of its own, connecting from a loopback address of its own."""

    base: str
    context: ssl.SSLContext | None
    address: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def plain_status(url: str, method: str = "GET") -> int:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        try:
            connection.request(method, parts.path or "/")
            return connection.getresponse().status
        finally:
            connection.close()

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, str] | str | None = None,
        headers: dict[str, str] | None = None,
        *,
        base: str | None = None,
        timeout: float = 15,
    ) -> Response:
        """Send one request on a new connection; keep the cookies the answer sets."""
        url = (base or self.base) + path
        parts = urllib.parse.urlsplit(url)
        marker = f"smsn-topology-{uuid.uuid4().hex}"
        sent = {"User-Agent": marker, "Accept-Encoding": "identity"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = data if isinstance(data, str) else urllib.parse.urlencode(data)
            origin = f"{parts.scheme}://{parts.netloc}"
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/",
            }
        sent |= headers or {}
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port,
                context=self.context,
                timeout=timeout,
                source_address=(self.address, 0),
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=timeout, source_address=(self.address, 0)
            )
        started = time.monotonic()
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, target, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read(), marker, started, url)
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, str] | str, **kwargs) -> Response:
        return self.request("POST", path, data, **kwargs)
