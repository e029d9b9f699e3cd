"""Load test of the pupils' test: many pupils answering at once, against gunicorn on loopback.

    DATABASE_URL=postgres://… python bench/load_campaign.py --pupils 300 --json

Prepares a throwaway school (pupils, signed-in sessions, one campaign on 5 competences),
starts gunicorn on 127.0.0.1, then a second process (this one) plays the pupils with
aiohttp: each starts the test, then loops "answer, get the next challenge" with a think
time between questions. Measures the answer-and-next request (the POST of the answer,
which redirects, plus the GET of the next challenge) and, for comparison, the requests
per second of a trivial Django view (/sante/) on the same stack in the same run.
Prints one JSON object: rps, p95_ms, median_ms, errors, answers, trivial_rps, …
Deletes the school at the end. Traffic goes to 127.0.0.1 only; the run is bounded.
"""

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
import yarl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from throwaway import remove_school, throwaway_school  # noqa: E402

from orga.campaigns.services import create_campaign  # noqa: E402
from orga.models import Division, Pupil  # noqa: E402
from orga.pupils.siecle_sample import generated_pupils  # noqa: E402

BENCH_DIGITS = "0999991"
CHALLENGE_RE = re.compile(r'name="challenge" value="(\d+)"')
TYPE_RE = re.compile(r'name="type" value="(\w+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(pupil_count):
    school, teacher = throwaway_school(BENCH_DIGITS, "Collège de mesure (charge)")
    uai = school.uai
    User = get_user_model()
    division = Division.objects.create(school=school, name="3e Charge")
    fakes = generated_pupils(pupil_count, ["3e Charge"], seed=3)
    users = User.objects.bulk_create(
        [User(username=f"bench.{uai}.{n}", password="!", first_name=f.first_name) for n, f in enumerate(fakes)]
    )
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                division=division,
                user=u,
                ine=f.ine,
                last_name=f.last_name,
                first_name=f.first_name,
                birthdate=f.birthdate,
            )
            for u, f in zip(users, fakes, strict=True)
        ]
    )
    campaign = create_campaign(
        school=school,
        owner=teacher,
        name="Charge",
        type="assessment",
        competence_codes=["1.1", "2.1", "3.1", "4.1", "5.1"],
    )
    sessions = []
    for user in User.objects.filter(username__startswith=f"bench.{uai}."):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return uai, campaign.code, sessions


async def one_pupil(connector, base, session_key, code, deadline, think, rng, timings, errors, counters):
    """A pupil with a cookie jar of their own: start the test, then answer until time is up."""
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({settings.SESSION_COOKIE_NAME: session_key}, yarl.URL(base))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=jar, timeout=timeout
    ) as http:
        try:
            async with http.get(base + f"/parcours/{code}/") as response:
                csrf = CSRF_RE.search(await response.text()).group(1)
            async with http.post(base + f"/parcours/{code}/", data={"csrfmiddlewaretoken": csrf}) as response:
                html, take = await response.text(), response.url.path
            while time.monotonic() < deadline:
                await asyncio.sleep(rng.uniform(*think))
                match = CHALLENGE_RE.search(html)
                if not match:
                    counters["finished"] += 1
                    return
                kind = TYPE_RE.search(html).group(1)
                data = {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1), "challenge": match.group(1), "type": kind}
                if rng.random() < 0.2:
                    data["passer"] = "1"
                else:
                    data["reponse"] = "0" if kind != "qroc" else "reponse"
                started = time.perf_counter()
                # The answer redirects to the next challenge: one round trip each, as a browser does.
                async with http.post(base + take + "reponse/", data=data) as response:
                    html = await response.text()
                    if response.status != 200 or len(response.history) != 1:
                        errors.append(f"answer {response.status}")
                        return
                timings.append((time.perf_counter() - started) * 1000)
                counters["answers"] += 1
        except (TimeoutError, aiohttp.ClientError, AttributeError) as error:
            errors.append(type(error).__name__)


async def trivial_rps(base, seconds, concurrency=50):
    count, deadline = 0, time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker():
            nonlocal count
            while time.monotonic() < deadline:
                async with http.get(base + "/sante/") as response:
                    await response.read()
                    count += response.status == 200

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.monotonic() - started)


async def play(base, code, sessions, seconds, think):
    rng = random.Random(1)
    timings, errors, counters = [], [], {"answers": 0, "finished": 0}
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=len(sessions))
    started = time.monotonic()
    await asyncio.gather(
        *(
            one_pupil(
                connector, base, key, code, deadline, think, random.Random(rng.random()), timings, errors, counters
            )
            for key in sessions
        )
    )
    elapsed = time.monotonic() - started
    await connector.close()
    return timings, errors, counters, elapsed


def wait_for(base, seconds=30):
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/sante/", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=90, help="how long the pupils play")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(5.0, 25.0), help="seconds a pupil spends on a question (min max)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    uai, code, sessions = prepare(args.pupils)
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "PYTHONWARNINGS": "ignore::UserWarning",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pixdeploy.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "75",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(base)
        trivial = asyncio.run(trivial_rps(base, 8))
        timings, errors, counters, elapsed = asyncio.run(play(base, code, sessions, args.seconds, tuple(args.think)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        remove_school(uai)
    ordered = sorted(timings)
    result = {
        "pupils": args.pupils,
        "database": django.db.connection.vendor,
        "workers": args.workers,
        "think_s": list(args.think),
        "seconds": round(elapsed, 1),
        "answers": counters["answers"],
        "finished_tests": counters["finished"],
        "rps": round(2 * counters["answers"] / elapsed, 1),
        "median_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        "max_ms": round(ordered[-1], 1) if ordered else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "trivial_rps": round(trivial, 1),
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
