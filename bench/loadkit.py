"""What the load benchmarks share: gunicorn on loopback, a signed-in browser (its own cookie jar), the forms of
a page, the requests a second of a trivial view, and the figures of a list of timings.

Django-free, so that its pure parts (forms, figures) are tested without a database (tests/test_bench_loadkit.py).
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import yarl

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_PATH = "/sante/"  # answered by the first middleware: the HTTP server's ceiling to compare with
STACK_PATH = "/sante/pile/"  # a view that does nothing, behind every middleware (session, user): the same stack


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "button", "textarea", "select"):
            self.fields.append({"tag": tag, **{name: value or "" for name, value in attrs}})


def form_fields(html):
    """The page's inputs, buttons, text areas and selects, in order, each as a dict of its attributes (and `tag`)."""
    parser = _Fields()
    parser.feed(html)
    parser.close()
    return parser.fields


def field_value(html, name):
    """The value of the page's first field named `name`, or None."""
    return next((f.get("value", "") for f in form_fields(html) if f.get("name") == name), None)


def figures(timings_ms, prefix=""):
    """Median, 95th percentile (nearest rank below) and maximum of timings in milliseconds, rounded; None if empty."""
    ordered = sorted(timings_ms)
    if not ordered:
        return {f"{prefix}median_ms": None, f"{prefix}p95_ms": None, f"{prefix}max_ms": None}
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {
        f"{prefix}median_ms": round(median, 1),
        f"{prefix}p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        f"{prefix}max_ms": round(ordered[-1], 1),
    }


def browser(base, connector, session_cookie=None):
    """An aiohttp session playing one browser: its own cookie jar, signed in with a Django session key if given."""
    jar = aiohttp.CookieJar(unsafe=True)
    if session_cookie:
        jar.update_cookies(dict([session_cookie]), yarl.URL(base))
    return aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)
    )


def session_key_of(http, base, cookie_name):
    """The Django session key a browser holds now (the server may have cycled it), or None."""
    cookie = http.cookie_jar.filter_cookies(yarl.URL(base)).get(cookie_name)
    return cookie.value if cookie else None


async def trivial_rps(base, seconds, concurrency=50, path=TRIVIAL_PATH, session_cookie=None):
    """Requests a second of a trivial view (`path`), hammered by `concurrency` connections for `seconds`, signed in
    with a Django session if given."""
    count, deadline = 0, time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with browser(base, connector, session_cookie) as http:

        async def worker():
            nonlocal count
            while time.monotonic() < deadline:
                async with http.get(base + path) as response:
                    await response.read()
                    count += response.status == 200

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    await connector.close()
    return count / elapsed


def wait_for(base, seconds=120):  # a loaded machine boots workers slowly
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + TRIVIAL_PATH, timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def warm_up(base, requests=64, concurrency=8):
    """Every worker imports the URLs and views on its first full request (seconds on a loaded machine): made
    before anything is measured."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + STACK_PATH, timeout=60).read()

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(get, range(requests)))


@contextlib.contextmanager
def gunicorn(port, workers, threads=4, env=None):
    """gunicorn serving the project on 127.0.0.1:`port` as in production (DEBUG off, persistent database
    connections, gthread workers); yields its base URL and stops it on the way out."""
    env = {
        **(env or os.environ),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    command = [sys.executable, "-m", "gunicorn", "pixdeploy.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]
    command += ["--keep-alive", "75", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base)
        warm_up(base)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def maintenance_connection(url):
    """An autocommit psycopg2 connection to the server of the PostgreSQL `url`, on its maintenance database: to
    create, drop or cut the connections of a benchmark's own database."""
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def drop_database(url, name, then_create=False):
    """DROP the benchmark's own database `name` (its connections cut), then CREATE it empty if `then_create`."""
    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if then_create:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


HAPROXY_CONFIG = """global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend pixdeploy
    bind 127.0.0.1:{port}
    default_backend web
backend web
    balance roundrobin
    http-response set-header X-Served-By %s
{servers}
"""


def haproxy_config(port, backend_ports):
    """HAProxy in front of the gunicorns on `backend_ports`, round robin, naming the server that answered in the
    X-Served-By header (as docker/haproxy.cfg does in production, where Docker's DNS gives the servers)."""
    servers = "\n".join(f"    server web{n} 127.0.0.1:{p} check" for n, p in enumerate(backend_ports, 1))
    return HAPROXY_CONFIG.format(port=port, servers=servers)


@contextlib.contextmanager
def load_balanced(port, servers, workers, threads=4, env=None):
    """`servers` gunicorns (each on a port of its own, `workers` workers) behind HAProxy on 127.0.0.1:`port`:
    yields the balancer's base URL, stops them all on the way out. HAProxy comes from Debian's package."""
    import tempfile

    backend_ports = [port + n for n in range(1, servers + 1)]
    with contextlib.ExitStack() as stack:
        for backend in backend_ports:
            stack.enter_context(gunicorn(backend, workers, threads, env))
        config = Path(tempfile.mkdtemp(prefix="pixdeploy-haproxy-")) / "haproxy.cfg"
        config.write_text(haproxy_config(port, backend_ports))
        balancer = subprocess.Popen(["haproxy", "-f", str(config), "-db"], stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base)
            yield base
        finally:
            balancer.send_signal(signal.SIGTERM)
            balancer.wait(timeout=30)
            config.unlink()
            config.parent.rmdir()
