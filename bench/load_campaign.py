"""Load test of the pupils' test: many pupils answering at once, against gunicorn on loopback.

    DATABASE_URL=postgres://… python bench/load_campaign.py --pupils 300 --json

Prepares a throwaway school (pupils, signed-in sessions, one campaign on 5 competences),
starts gunicorn on 127.0.0.1, then a second process (this one) plays the pupils with
aiohttp: each starts the test, then loops "answer, get the next challenge" with a think
time between questions. Measures the answer-and-next request (the POST of the answer,
which redirects, plus the GET of the next challenge) and, for comparison, the requests
per second of a trivial Django view (/sante/) on the same stack in the same run.
Prints one JSON object: rps, p95_ms, median_ms, errors, answers, trivial_rps, …
Deletes the school and its sessions at the end. Traffic goes to 127.0.0.1 only; the run is bounded.
"""

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
from loadkit import browser, figures, gunicorn, trivial_rps  # noqa: E402
from throwaway import forget_sessions, remove_school, signed_in, throwaway_pupils, throwaway_school  # noqa: E402

from orga.campaigns.services import create_campaign  # noqa: E402

BENCH_DIGITS = "0999991"
CHALLENGE_RE = re.compile(r'name="challenge" value="(\d+)"')
TYPE_RE = re.compile(r'name="type" value="(\w+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(pupil_count):
    school, teacher = throwaway_school(BENCH_DIGITS, "Collège de mesure (charge)")
    pupils = throwaway_pupils(school, ["3e Charge"], pupil_count, seed=3)
    campaign = create_campaign(
        school=school,
        owner=teacher,
        name="Charge",
        type="assessment",
        competence_codes=["1.1", "2.1", "3.1", "4.1", "5.1"],
    )
    return school.uai, campaign.code, [signed_in(pupil.user) for pupil in pupils]


async def one_pupil(connector, base, cookie, code, deadline, think, rng, timings, errors, counters):
    """A pupil with a cookie jar of their own: start the test, then answer until time is up."""
    async with browser(base, connector, cookie) as http:
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

    uai, code, cookies = prepare(args.pupils)
    try:
        with gunicorn(args.port, args.workers) as base:
            trivial = asyncio.run(trivial_rps(base, 8))
            timings, errors, counters, elapsed = asyncio.run(play(base, code, cookies, args.seconds, tuple(args.think)))
    finally:
        remove_school(uai)
        forget_sessions(key for _, key in cookies)
    result = {
        "pupils": args.pupils,
        "database": django.db.connection.vendor,
        "workers": args.workers,
        "think_s": list(args.think),
        "seconds": round(elapsed, 1),
        "answers": counters["answers"],
        "finished_tests": counters["finished"],
        "rps": round(2 * counters["answers"] / elapsed, 1),
        **figures(timings),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "trivial_rps": round(trivial, 1),
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
