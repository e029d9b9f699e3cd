"""Load test of certification sessions at once: a lycée's morning, against gunicorn on loopback.

    DATABASE_URL=postgres://…/NAME REDIS_URL=redis://127.0.0.1:6379/N \\
        python bench/load_session.py --sessions 4 --candidates 30 --json

Creates a fresh PostgreSQL database beside the configured one (NAME_load_session, dropped at the end), with a
throwaway lycée: S sessions of C candidates whose identity and presence are already confirmed (the arrival is not
what is measured), each pupil signed in (sessions made in the database), and a pool of further sessions for the
ramp. Starts gunicorn on 127.0.0.1, then plays, with aiohttp from this process:

1. a trivial Django view (/sante/) hammered by 50 connections: the stack's requests a second, for comparison;
2. the morning: each session's invigilator signs in with the session's number and password and their page
   polls the live list every 5 s (the htmx request of the page, HX-Request: true); each candidate, in a browser
   of their own, opens the test (the first page creates it) and loops "read the question for a while, answer
   or skip (1 in 10)". Measured: the answer-and-next round trip (the POST of the answer, whose redirect brings
   the next question) and the invigilator's poll;
3. the ramp: the pool's candidates answer at a rate stepped up (open loop: an answer is sent every 1/rate s by a
   candidate who has their question), the invigilators still polling, until the p95 of a step reaches 200 ms;
   max_answers_per_s is the best rate reached by a step that held (p95 < 200 ms, no error).

Prints one JSON object: answer_p95_ms, invigilator_p95_ms, errors, max_answers_per_s, trivial_rps, … Exits 1 when
a request failed. Traffic goes to 127.0.0.1 only; the run is bounded; the sessions it made leave the cache.
"""

import argparse
import asyncio
import collections
import json
import math
import os
import random
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")

import aiohttp  # noqa: E402
from loadkit import (  # noqa: E402
    browser,
    drop_database,
    field_value,
    figures,
    form_fields,
    gunicorn,
    session_key_of,
    trivial_rps,
)

BENCH_DIGITS = "0999992"
TARGET_MS = 200
POLL_SECONDS = 5  # the invigilator's page: hx-trigger="every 5s"
SKIP_SHARE = 0.1
RAMP_RATES = (2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120, 150)
INVIGILATION_PATH = "/certification/surveillant/session/"


def fresh_database_url(url):
    """The URL of the benchmark's own database beside `url`'s (its name + "_load_session"), and that name."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("DATABASE_URL must point to PostgreSQL: postgres://user@127.0.0.1:5432/name")
    name = parts.path.lstrip("/") + "_load_session"
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def answer_form(html, rng, skip_share=SKIP_SHARE):
    """The fields a candidate posts for the question on `html`, as (name, value) pairs, or None when the page
    holds no question: one proposal of a single choice, one or two of a multiple choice, a word for a free
    answer; the question skipped ("passer") about `skip_share` of the time."""
    fields = form_fields(html)
    question = field_value(html, "question")
    if question is None:
        return None
    data = [("csrfmiddlewaretoken", field_value(html, "csrfmiddlewaretoken") or ""), ("question", question)]
    answers = [f for f in fields if f.get("name") == "reponse"]
    if not answers or rng.random() < skip_share:
        return [*data, ("passer", "1")]
    kind = answers[0].get("type", answers[0]["tag"])
    if kind == "checkbox":
        picked = rng.sample(answers, min(len(answers), rng.choice((1, 2))))
        return data + [("reponse", f.get("value", "")) for f in picked]
    if kind == "radio":
        return [*data, ("reponse", rng.choice(answers).get("value", ""))]
    return [*data, ("reponse", "réponse")]


def ramp_step_holds(step):
    return step["p95_ms"] is not None and step["p95_ms"] < TARGET_MS and not step["errors"]


def best_rate(steps):
    """The answers a second of the best step that held, or None."""
    return max((step["answers_per_s"] for step in steps if ramp_step_holds(step)), default=None)


class Candidate:
    """A candidate's browser: their test's URLs, the page they are reading, whether their test is over."""

    def __init__(self, base, candidate_id, cookie):
        self.cookie = cookie
        self.test_url = f"{base}/certification/candidat/{candidate_id}/test/"
        self.answer_url = self.test_url + "repondre/"
        self.html = ""
        self.done = False
        self.finished = False
        self.http = None

    async def open(self, timings, errors):
        """The first page of the test (it creates the test on the first visit)."""
        started = time.perf_counter()
        try:
            async with self.http.get(self.test_url) as response:
                self.html = await response.text()
                if response.status != 200 or answer_form(self.html, random.Random(0)) is None:
                    errors.append(f"test page {response.status}")
                    self.done = True
                    return
        except (TimeoutError, aiohttp.ClientError) as error:
            errors.append(f"test page {type(error).__name__}")
            self.done = True
            return
        timings.append((time.perf_counter() - started) * 1000)

    async def answer(self, rng, timings, errors):
        """Answer the question on the page; the answer redirects to the next question, or to the end."""
        data = answer_form(self.html, rng)
        if data is None:
            self.done = True
            return
        asked = dict(data)["question"]
        started = time.perf_counter()
        try:
            async with self.http.post(self.answer_url, data=data) as response:
                self.html = await response.text()
                # Back to the test page, or after the last answer on to the end screen through it.
                self.finished = response.url.path.endswith("/fin/")
                if response.status != 200 or len(response.history) != 1 + self.finished:
                    errors.append(f"answer {response.status}")
                    self.done = True
                    return
                if not self.finished and field_value(self.html, "question") == asked:
                    errors.append("answer refused")  # the same question again: the answer was not recorded
                    self.done = True
                    return
                self.done = self.finished
        except (TimeoutError, aiohttp.ClientError) as error:
            errors.append(f"answer {type(error).__name__}")
            self.done = True
            return
        timings.append((time.perf_counter() - started) * 1000)


async def morning_candidate(candidate, deadline, think, rng, measures):
    await asyncio.sleep(rng.uniform(0, 10))  # the room starts within a few seconds
    await candidate.open(measures["start"], measures["errors"])
    while not candidate.done:
        await asyncio.sleep(min(rng.uniform(*think), max(0, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            break
        await candidate.answer(rng, measures["answer"], measures["errors"])
    measures["finished"] += candidate.finished


async def invigilator(http, base, number, password, state, rng, measures):
    """Sign in with the session's number and password, then poll the live list every 5 s until told to stop;
    each poll's time goes to the list of the phase it was made in."""
    try:
        async with http.get(base + "/certification/surveillant/") as response:
            csrf = field_value(await response.text(), "csrfmiddlewaretoken")
        form = {"csrfmiddlewaretoken": csrf, "number": str(number), "password": password}
        async with http.post(base + "/certification/surveillant/", data=form) as response:
            await response.read()
            if response.status != 200 or response.url.path != INVIGILATION_PATH:
                measures["errors"].append(f"invigilator sign-in {response.status}")
                return
    except (TimeoutError, aiohttp.ClientError) as error:
        measures["errors"].append(f"invigilator sign-in {type(error).__name__}")
        return
    tick = time.monotonic() + rng.uniform(0, POLL_SECONDS)
    while not state["stop"]:
        await asyncio.sleep(max(0, tick - time.monotonic()))
        tick += POLL_SECONDS
        if state["stop"]:
            return
        phase = state["phase"]
        started = time.perf_counter()
        try:
            async with http.get(base + INVIGILATION_PATH, headers={"HX-Request": "true"}) as response:
                html = await response.text()
                if response.status != 200 or response.history or 'id="candidats"' not in html:
                    measures["errors"].append(f"invigilator poll {response.status}")
                    return
        except (TimeoutError, aiohttp.ClientError) as error:
            measures["errors"].append(f"invigilator poll {type(error).__name__}")
            return
        measures["polls"][phase].append((time.perf_counter() - started) * 1000)


async def ramp(pool, rates, step_seconds, rng, state, measures):
    """Step the answers' rate up over the pool's candidates (each answers at most one question at a time) until a
    step misses the target twice running (or once with an error); each step's figures."""
    ready = asyncio.Queue()
    for candidate in pool:
        if not candidate.done:
            ready.put_nowait(candidate)
    steps = []

    async def one(candidate, timings, step_errors):
        await candidate.answer(rng, timings, step_errors)
        if not candidate.done:
            ready.put_nowait(candidate)

    async def step_at(rate, attempt):
        timings, step_errors, tasks, missed = [], [], [], 0
        state["phase"] = (rate, attempt)
        started = time.monotonic()
        for n in range(int(rate * step_seconds)):
            await asyncio.sleep(max(0, started + n / rate - time.monotonic()))
            if ready.empty():
                missed += 1  # every candidate of the pool is waiting for their next question, or done
                continue
            tasks.append(asyncio.create_task(one(ready.get_nowait(), timings, step_errors)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        measures["errors"].extend(step_errors)
        return {
            "offered_per_s": rate,
            "answers_per_s": round(len(timings) / elapsed, 1),
            **figures(timings),
            "errors": len(step_errors),
            "no_candidate_ready": missed,
            "invigilator_p95_ms": figures(measures["polls"][(rate, attempt)])["p95_ms"],
            "load_average_1min": round(os.getloadavg()[0], 1),
        }

    for rate in rates:
        step = await step_at(rate, 1)
        steps.append(step)
        if not ramp_step_holds(step) and not step["errors"]:
            # A shared machine has its moments: a step that missed on time alone is played once more.
            step = await step_at(rate, 2)
            steps.append(step)
        if not ramp_step_holds(step) or step["no_candidate_ready"] > rate or ready.qsize() < rate:
            break
    return steps


async def play(base, plan, args):
    cookie_name = plan["cookie_name"]
    rng = random.Random(args.seed)
    measures = {
        "start": [],
        "answer": [],
        "errors": [],
        "finished": 0,
        "polls": collections.defaultdict(list),
    }
    state = {"phase": "morning", "stop": False}
    morning = [Candidate(base, cid, cookie) for cid, cookie in plan["candidates"]]
    pool = [Candidate(base, cid, cookie) for cid, cookie in plan["pool"]]
    connector = aiohttp.TCPConnector(limit=len(morning) + len(pool) + len(plan["sessions"]) + 10)
    browsers = [browser(base, connector) for _ in plan["sessions"]]
    for candidate in morning + pool:
        candidate.http = browser(base, connector, candidate.cookie)
        browsers.append(candidate.http)
    try:
        invigilators = [
            asyncio.create_task(invigilator(http, base, number, password, state, random.Random(rng.random()), measures))
            for http, (number, password) in zip(browsers, plan["sessions"], strict=False)
        ]
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(
            *(morning_candidate(c, deadline, tuple(args.think), random.Random(rng.random()), measures) for c in morning)
        )
        morning_seconds = time.monotonic() - started
        state["phase"] = "opening the ramp's tests"
        steps = []
        if args.ramp_seconds > 0 and pool:
            opening = asyncio.Semaphore(8)

            async def open_one(candidate):
                async with opening:
                    await candidate.open([], measures["errors"])

            await asyncio.gather(*(open_one(c) for c in pool))
            steps = await ramp(pool, RAMP_RATES, args.ramp_seconds, random.Random(rng.random()), state, measures)
        state["stop"] = True
        await asyncio.gather(*invigilators)
    finally:
        keys = [session_key_of(http, base, cookie_name) for http in browsers]
        for http in browsers:
            await http.close()
        await connector.close()
    return measures, morning_seconds, steps, keys


def prepare(args):
    """The lycée, its sessions and signed-in candidates (identity and presence confirmed), and the ramp's pool."""
    import datetime

    from django.conf import settings
    from django.utils import timezone
    from throwaway import signed_in, throwaway_pupils, throwaway_school

    from certif.candidates.enrolment import identity_of
    from certif.sessions.models import Candidate as CandidateRow
    from certif.sessions.services import create_session

    school, admin = throwaway_school(BENCH_DIGITS, "Lycée de mesure (sessions)")
    pool_sessions = math.ceil(args.ramp_candidates / args.candidates) if args.ramp_seconds > 0 else 0
    count = args.sessions + pool_sessions
    divisions = [f"T{n + 1:02d} Mesure" for n in range(count)]
    pupils = throwaway_pupils(school, divisions, count * args.candidates + 1, seed=args.seed)
    now = timezone.now()
    started = (timezone.localtime(now) - datetime.timedelta(minutes=5)).time().replace(second=0, microsecond=0)

    def session_of(group, room):
        """A session of today, started, with these pupils as candidates whose arrival is done."""
        session = create_session(
            school=school,
            created_by=admin,
            invigilators=[(f"Surveillant de la salle {room}", None)],
            grade="terminale",
            date=timezone.localdate(now),
            start_time=started,
            room=f"Salle {room}",
            address="1 rue de la Mesure",
            capacity=len(group),
        )
        rows = CandidateRow.objects.bulk_create(
            CandidateRow(
                session=session, pupil=pupil, identity_confirmed_at=now, presence_confirmed_at=now, **identity_of(pupil)
            )
            for pupil in group
        )
        return session, [(row.id, signed_in(pupil.user)) for row, pupil in zip(rows, group, strict=True)]

    plan = {"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": [], "candidates": [], "pool": []}
    for n in range(count):
        session, browsers = session_of(pupils[n * args.candidates : (n + 1) * args.candidates], n + 1)
        if n < args.sessions:
            plan["sessions"].append((session.number, session.invigilator_password))
            plan["candidates"] += browsers
        else:
            plan["pool"] += browsers
    # One more candidate, alone in a session, whose first answer's SQL queries are counted after the run.
    _, [(candidate_id, cookie)] = session_of(pupils[-1:], "des comptes")
    plan["spare"] = (candidate_id, cookie)
    return plan


def count_queries(plan):
    """The SQL queries of one answer-and-next round trip (the POST and the page it redirects to) and of one
    invigilator's poll of a full session, in this process with Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from throwaway import forget_sessions

    candidate_id, (cookie_name, key) = plan["spare"]
    pupil = Client()
    pupil.cookies[cookie_name] = key
    test_url = f"/certification/candidat/{candidate_id}/test/"
    data = collections.defaultdict(list)
    for name, value in answer_form(pupil.get(test_url).content.decode(), random.Random(1), skip_share=0):
        data[name].append(value)
    counts = {}
    # Counted as each request ends: the next request empties the connection's query log.
    with CaptureQueriesContext(connection) as queries:
        response = pupil.post(test_url + "repondre/", data)
    counts["answer_queries"] = [len(queries)]
    with CaptureQueriesContext(connection) as queries:
        pupil.get(response["Location"])
    counts["answer_queries"].append(len(queries))
    number, password = plan["sessions"][0]
    invigilator = Client()
    invigilator.post("/certification/surveillant/", {"number": number, "password": password})
    with CaptureQueriesContext(connection) as queries:
        invigilator.get(INVIGILATION_PATH, headers={"HX-Request": "true"})
    counts["invigilator_queries"] = len(queries)
    forget_sessions([key, pupil.cookies[cookie_name].value, invigilator.cookies[cookie_name].value])
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--candidates", type=int, default=30, help="candidates a session")
    parser.add_argument("--seconds", type=float, default=180, help="how long the morning is played")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(10.0, 40.0), help="seconds a candidate spends on a question (min max)"
    )
    parser.add_argument("--ramp-seconds", type=float, default=15, help="length of a ramp step (0: no ramp)")
    parser.add_argument("--ramp-candidates", type=int, default=300, help="the ramp's pool of candidates")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    url, name = fresh_database_url(os.environ.get("DATABASE_URL", ""))
    drop_database(url, name, then_create=True)
    os.environ["DATABASE_URL"] = url
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.db import connections
        from throwaway import forget_sessions

        plan = prepare(args)
        loads = [os.getloadavg()[0]]
        connections.close_all()
        with gunicorn(args.port, args.workers) as base:
            trivial = asyncio.run(trivial_rps(base, 8))
            measures, seconds, steps, keys = asyncio.run(play(base, plan, args))
        loads.append(os.getloadavg()[0])
        queries = count_queries(plan)
        forget_sessions(keys + [cookie[1] for _, cookie in plan["candidates"] + plan["pool"]])
        connections.close_all()
    finally:
        drop_database(url, name)
    errors = measures["errors"]
    result = {
        "sessions": args.sessions,
        "candidates": args.sessions * args.candidates,
        "database": "postgresql",
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "workers": args.workers,
        "think_s": list(args.think),
        "seconds": round(seconds, 1),
        "answers": len(measures["answer"]),
        "finished_tests": measures["finished"],
        "answers_per_s": round(len(measures["answer"]) / seconds, 1),
        **figures(measures["answer"], "answer_"),
        **figures(measures["start"], "start_"),
        "invigilator_polls": len(measures["polls"]["morning"]),
        **figures(measures["polls"]["morning"], "invigilator_"),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "max_answers_per_s": best_rate(steps),
        "ramp": steps,
        "trivial_rps": round(trivial, 1),
        **queries,
        "load_average_1min": [round(load, 1) for load in loads],  # before and after: others' work on the machine
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
