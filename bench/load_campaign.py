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
import collections
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
from django.conf import settings  # noqa: E402
from load_session import best_rate, ramp_step_holds  # noqa: E402
from loadkit import (  # noqa: E402
    STACK_PATH,
    browser,
    figures,
    gunicorn,
    load_balanced,
    session_key_of,
    trivial_rps,
)
from throwaway import (  # noqa: E402
    forget_sessions,
    remove_school,
    session_store,
    signed_in,
    throwaway_pupils,
    throwaway_school,
)

from accounts.rate_limits import MAX_PER_ACCOUNT  # noqa: E402
from orga.campaigns.services import create_campaign  # noqa: E402

BENCH_DIGITS = "0999991"
CHALLENGE_RE = re.compile(r'name="challenge" value="(\d+)"')
RATES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200)
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


class Pupil:
    """A pupil's browser in the stress run: the test's address, the page being read, whether the test is over."""

    def __init__(self, http):
        self.http = http
        self.take = None
        self.html = ""
        self.done = False

    async def start(self, base, code, errors):
        try:
            async with self.http.get(base + f"/parcours/{code}/") as response:
                csrf = CSRF_RE.search(await response.text()).group(1)
            async with self.http.post(base + f"/parcours/{code}/", data={"csrfmiddlewaretoken": csrf}) as response:
                self.html, self.take = await response.text(), response.url.path
        except (TimeoutError, aiohttp.ClientError, AttributeError) as error:
            errors.append(f"start {type(error).__name__}")
            self.done = True

    async def answer(self, base, rng, timings, errors, served_by):
        """Answer (80 %) or skip (20 %) the question on the page; its redirect brings the next one, or the end."""
        match = CHALLENGE_RE.search(self.html)
        if not match:
            self.done = True
            return
        kind = TYPE_RE.search(self.html).group(1)
        data = {"csrfmiddlewaretoken": CSRF_RE.search(self.html).group(1), "challenge": match.group(1), "type": kind}
        if rng.random() < 0.2:
            data["passer"] = "1"
        else:
            data["reponse"] = "0" if kind != "qroc" else "reponse"
        started = time.perf_counter()
        try:
            async with self.http.post(base + self.take + "reponse/", data=data) as response:
                self.html = await response.text()
                finished = "/resultats/" in response.url.path
                if response.status != 200 or len(response.history) != 1 + finished:
                    errors.append(f"answer {response.status}")
                    self.done = True
                    return
                for hop in (*response.history, response):
                    served_by[hop.headers.get("X-Served-By", "gunicorn")] += 1
        except (TimeoutError, aiohttp.ClientError) as error:
            errors.append(f"answer {type(error).__name__}")
            self.done = True
            return
        timings.append((time.perf_counter() - started) * 1000)
        self.done = finished


async def stress(base, code, cookies, rates, step_seconds):
    """Every pupil starts the test, then answers leave at a rate stepped up (open loop: one every 1/rate s whatever
    the server's pace), each pupil answering one question at a time, until a step misses p95 < 200 ms twice
    running (or once with an error). Each step's figures, the errors, the requests each server answered."""
    connector = aiohttp.TCPConnector(limit=len(cookies) + 10)
    pupils = [Pupil(browser(base, connector, cookie)) for cookie in cookies]
    errors, served_by, steps = [], collections.Counter(), []
    opening = asyncio.Semaphore(8)

    async def start(pupil):
        async with opening:
            await pupil.start(base, code, errors)

    try:
        await asyncio.gather(*(start(pupil) for pupil in pupils))
        ready = asyncio.Queue()
        for pupil in pupils:
            if not pupil.done:
                ready.put_nowait(pupil)
        rng = random.Random(1)

        async def one(pupil, timings, step_errors):
            await pupil.answer(base, rng, timings, step_errors, served_by)
            if not pupil.done:
                ready.put_nowait(pupil)

        async def step_at(rate):
            timings, step_errors, tasks, missed = [], [], [], 0
            started = time.monotonic()
            for n in range(int(rate * step_seconds)):
                await asyncio.sleep(max(0, started + n / rate - time.monotonic()))
                if ready.empty():
                    missed += 1  # every pupil is waiting for their next question, or done
                    continue
                tasks.append(asyncio.create_task(one(ready.get_nowait(), timings, step_errors)))
            await asyncio.gather(*tasks)
            elapsed = time.monotonic() - started
            errors.extend(step_errors)
            return {
                "offered_per_s": rate,
                "answers_per_s": round(len(timings) / elapsed, 1),
                **figures(timings),
                "errors": len(step_errors),
                "no_pupil_ready": missed,
                "load_average_1min": round(os.getloadavg()[0], 1),
            }

        for rate in rates:
            step = await step_at(rate)
            steps.append(step)
            if not ramp_step_holds(step) and not step["errors"]:
                step = await step_at(rate)  # a shared machine has its moments: played once more
                steps.append(step)
            if not ramp_step_holds(step) or step["no_pupil_ready"] > rate or ready.qsize() < rate:
                break
    finally:
        keys = [session_key_of(pupil.http, base, cookies[0][0]) for pupil in pupils]
        for pupil in pupils:
            await pupil.http.close()
        await connector.close()
    return steps, errors, dict(served_by), keys


async def throttle_across(base, cookie, attempts=MAX_PER_ACCOUNT + 1):
    """One pupil types wrong campaign codes through the balancer: the answers' statuses and the servers that gave
    them. Counted in the shared cache, the 11th is refused (429) whichever server it reaches."""
    connector = aiohttp.TCPConnector(limit=1)
    statuses, servers = [], set()
    async with browser(base, connector, cookie) as http:
        async with http.get(base + "/parcours/") as response:
            csrf = CSRF_RE.search(await response.text()).group(1)
        wrong = {"csrfmiddlewaretoken": csrf, "code": "ZZZZZZ222"}
        for _ in range(attempts):
            async with http.post(base + "/parcours/", data=wrong) as response:
                await response.read()
                statuses.append(response.status)
                servers.add(response.headers.get("X-Served-By", "gunicorn"))
    await connector.close()
    return {"wrong_code_statuses": statuses, "throttle_servers": sorted(servers)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=90, help="how long the pupils play")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(5.0, 25.0), help="seconds a pupil spends on a question (min max)"
    )
    parser.add_argument(
        "--stress", action="store_true", help="step the answers' rate up until p95 reaches 200 ms: max_answers_per_s"
    )
    parser.add_argument("--step-seconds", type=float, default=12, help="length of a stress step")
    parser.add_argument("--servers", type=int, default=1, help="gunicorn servers; more than 1: behind HAProxy")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers a server (gthread, 4 threads)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    uai, code, cookies = prepare(args.pupils + 1)
    spare, cookies = cookies[-1], cookies[:-1]  # the pupil who types wrong codes
    spare_user_id = session_store()(session_key=spare[1]).get("_auth_user_id")
    loads = [os.getloadavg()[0]]
    server = load_balanced(args.port, args.servers, args.workers) if args.servers > 1 else None
    keys = []
    try:
        with server or gunicorn(args.port, args.workers) as base:
            trivial = asyncio.run(trivial_rps(base, 8))
            stack = asyncio.run(trivial_rps(base, 8, path=STACK_PATH, session_cookie=spare))
            if args.stress:
                steps, errors, served_by, keys = asyncio.run(stress(base, code, cookies, RATES, args.step_seconds))
                played = {"max_answers_per_s": best_rate(steps), "ramp": steps}
            else:
                timings, errors, counters, elapsed = asyncio.run(
                    play(base, code, cookies, args.seconds, tuple(args.think))
                )
                served_by = {}
                played = {
                    "think_s": list(args.think),
                    "seconds": round(elapsed, 1),
                    "answers": counters["answers"],
                    "finished_tests": counters["finished"],
                    "rps": round(2 * counters["answers"] / elapsed, 1),
                    **figures(timings),
                }
            throttle = asyncio.run(throttle_across(base, spare))
        loads.append(os.getloadavg()[0])
    finally:
        remove_school(uai)
        forget_sessions([key for _, key in cookies + [spare]] + keys)
        # The wrong codes counted against loopback's address and the pupil, not to throttle the next run.
        django.core.cache.cache.delete_many(["wrong-code:ip:127.0.0.1", f"wrong-code:user:{spare_user_id}"])
    best = played.get("max_answers_per_s")
    result = {
        "pupils": args.pupils,
        "database": django.db.connection.vendor,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "servers": args.servers,
        "workers_per_server": args.workers,
        **played,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "served_by": served_by,
        **throttle,
        "trivial_rps": round(trivial, 1),
        "stack_rps": round(stack, 1),
        "answers_over_trivial": round(best / trivial, 3) if best and trivial else None,
        "answers_over_stack": round(best / stack, 3) if best and stack else None,
        "load_average_1min": [round(load, 1) for load in loads],  # before and after: others' work on the machine
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
