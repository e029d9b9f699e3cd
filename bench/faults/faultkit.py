"""What the fault scripts share: a database and a Redis of their own, gunicorn and Celery workers started on them,
a signed-in browser, and the JSON report written to docs/benchmarks.md.

A fault script never touches a service it did not start: its database is `<configured name>_<fault>` (created,
then dropped), its Redis listens on a port of its own (`--redis-port`, refused if something already listens there)
and is stopped by that port only; the connections it cuts are those to its own database.
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "benchmarks.md"
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from loadkit import drop_database, maintenance_connection  # noqa: E402

# Short timeouts, so that a redelivery and the stale-job check happen within seconds (production: minutes).
FAST_JOBS = {
    "JOBS_HEARTBEAT_TIMEOUT": "3",
    "CELERY_VISIBILITY_TIMEOUT": "4",
    "JOBS_FAIL_AFTER": "5",
}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def arguments(description, fault):
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pixdeploy_faults"),
        help=f"a PostgreSQL server and a name: the script works in a new database <name>_{fault}, dropped at the end",
    )
    parser.add_argument("--redis-port", type=int, default=6391, help="the port of the script's own redis-server")
    parser.add_argument("--port", type=int, default=8791, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--write-docs", action="store_true", help="write this fault's section of docs/benchmarks.md")
    return parser


def own_database_url(url, fault):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("--database-url must point to PostgreSQL: postgres://user@127.0.0.1:5432/name")
    name = f"{parts.path.lstrip('/')}_{fault}"
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


@contextlib.contextmanager
def own_database(url, fault):
    """A new database for this fault (dropped first if a previous run left it), dropped on the way out."""
    url, name = own_database_url(url, fault)
    drop_database(url, name, then_create=True)
    try:
        yield url, name
    finally:
        drop_database(url, name)


def cut_connections(url, name, keep_pid=None):
    """pg_terminate_backend on every connection to the database `name` (only that one) but `keep_pid`: how many."""
    connection = maintenance_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM %s",
            [name, keep_pid],
        )
        cut = cursor.fetchone()[0]
    connection.close()
    return cut


def _listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class OwnRedis:
    """A redis-server of the script's own on 127.0.0.1:`port`, without persistence; stopped by its port only."""

    def __init__(self, port):
        self.port = port

    def start(self):
        if _listening(self.port):
            raise SystemExit(f"Something already listens on 127.0.0.1:{self.port}: choose another --redis-port.")
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes"]
            + ["--save", "", "--appendonly", "no", "--dir", "/tmp"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if not wait_until(lambda: _listening(self.port), 10):
            raise SystemExit("redis-server did not start")

    def stop(self):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: not _listening(self.port), 10)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def service_env(database_url, redis_url, **extra):
    """The environment of the web and worker processes (and of this one, before django.setup())."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_DEFAULT_QUEUE": "pixdeploy-faults",
        "MEDIA_ROOT": extra.pop("MEDIA_ROOT", "/tmp/pixdeploy-faults-media"),
        "PYTHONWARNINGS": "ignore",
        **FAST_JOBS,
        **{key: str(value) for key, value in extra.items()},
    }


def setup_django(env):
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", *FAST_JOBS)})
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = env["CELERY_TASK_DEFAULT_QUEUE"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def fault_services(args, fault):
    """The fault's own database and Redis, Django set up on them: yields (env, redis, database url, database name)."""
    with own_database(args.database_url, fault) as (url, name), OwnRedis(args.redis_port) as redis:
        env = service_env(url, redis.url)
        setup_django(env)
        yield env, redis, url, name


def start_worker(env, name, pool="solo", **extra):
    """`celery -A pixdeploy worker` on the fault's queue; `extra` goes to its environment."""
    command = [sys.executable, "-m", "celery", "-A", "pixdeploy", "worker", f"--pool={pool}", "-l", "error"]
    command += ["-n", f"{name}@faults", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--concurrency", "1"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    worker_env = {**env, **{key: str(value) for key, value in extra.items()}}
    return subprocess.Popen(command, env=worker_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pool_children(worker):
    """The pids of a prefork worker's pool processes."""
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def kill(pid_or_process):
    if isinstance(pid_or_process, int):
        os.kill(pid_or_process, signal.SIGKILL)
        return
    pid_or_process.send_signal(signal.SIGKILL)
    pid_or_process.wait(timeout=10)


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


class Browser:
    """A browser of its own (requests' cookie jar), signed in with a Django session key if given."""

    def __init__(self, base, session_cookie=None):
        import requests

        self.base = base
        self.http = requests.Session()
        if session_cookie:
            self.http.cookies.set(*session_cookie, domain="127.0.0.1")

    def get(self, path, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post(self, path, data=None, form_page=None, **kwargs):
        """POST with the CSRF token read from `form_page` (default: the same path)."""
        page = self.get(form_page or path).text
        match = CSRF_RE.search(page)
        data = {**(data or {}), "csrfmiddlewaretoken": match.group(1) if match else ""}
        return self.http.post(self.base + path, data=data, timeout=30, headers={"Referer": self.base + path}, **kwargs)


def load_average():
    return round(os.getloadavg()[0], 1)


def finish(fault, did, held, started, write_docs, notes=""):
    """Print the JSON report, write the docs' section if asked, exit 1 when something did not hold."""
    ok = all(value is True for value in held.values() if isinstance(value, bool))
    result = {
        "fault": fault,
        "did": did,
        "held": held,
        "ok": ok,
        "seconds": round(time.monotonic() - started, 1),
        "load_average_1min": load_average(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if write_docs:
        write_section(fault, result, notes)
    sys.exit(0 if ok else 1)


def write_section(fault, result, notes):
    """This fault's part of docs/benchmarks.md: what it did and what held."""
    lines = [
        f"**`python bench/faults/{fault}.py --write-docs`**, run {result['date']} "
        f"({result['seconds']} s, load average {result['load_average_1min']} at the end, "
        f"{'**all held**' if result['ok'] else '**something did not hold**'}).",
        "",
        "What it did:",
        "",
        *[f"- {step}" for step in result["did"]],
        "",
        "| what must hold | measured |",
        "|---|---|",
        *[f"| {name} | {_cell(value)} |" for name, value in result["held"].items()],
    ]
    if notes:
        lines += ["", notes]
    replace_block(f"faults:{fault}", "\n".join(lines))


def replace_block(key, block):
    """Replace the text between `<!-- key -->` and `<!-- /key -->` in docs/benchmarks.md (appended if absent)."""
    begin, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    block = f"{begin}\n{block}\n{end}"
    text = DOCS.read_text()
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text)


def _cell(value):
    if value is True:
        return "yes"
    if value is False:
        return "**NO**"
    return str(value).replace("|", "/")
