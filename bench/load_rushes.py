"""Load: the three rushes of a school's year, one after the other, against gunicorn on loopback.

    python bench/load_rushes.py [--write-docs]

Works in a PostgreSQL database of its own (`<DATABASE_URL's name>_load_rushes`, default
postgres://postgres@127.0.0.1:5432/pixdeploy_faults: created, then dropped) with a redis-server of its own
(`--redis-port`, default 6392: cache and sessions, as in production; stopped by its port at the end). gunicorn runs
as in the other load benchmarks (4 gthread workers × 4 threads, `CONN_MAX_AGE=60`, DEBUG off); the load comes from
this process with aiohttp, each person in a browser (cookie jar) of their own, signed in beforehand (sessions made
in the database: no password hashing measured).

1. « pupils »: a whole school, 300 pupils, arrives within `--arrival` seconds: each opens « J'ai un code »
   (`code form`), types the campaign's code (`enter code`: the POST and the campaign's page it redirects to),
   starts the test (`start`: the POST and the first question), then answers (80 %) or skips until the rush ends,
   reading each question 5 to 25 s (`answer`: the POST and the next question). Campaign on 5 competences.
2. « certification »: one session of 30 candidates and its invigilator, played by bench/load_session.py's morning
   (candidates already arrived: identity and presence confirmed): `start` (the test's first page), `answer`
   (10-40 s a question, 1 in 10 skipped) and the invigilator's poll of the live list every 5 s (`invigilator`).
3. « staff »: 10 staff members (school admins) browse the results of a 1,000-participant campaign on the
   16 competences (bench/results_pages.py's school): home, Activité, Résultats and Analyse tabs, the pupils'
   list, a class's follow-up, 3 to 10 s on each page.

Before the rushes, `trivial_rps` (/sante/ hammered by 50 connections) says what the stack does in the same run.
Prints one JSON object: for each rush and step, requests, median (p50), p95 and max in ms, errors; exits 1 when a
request failed. `--write-docs` writes its section of docs/benchmarks.md.
"""

import argparse
import asyncio
import collections
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "faults"))

import faultkit  # noqa: E402 — also puts the project and bench/ on sys.path
from loadkit import browser, field_value, figures, form_fields, gunicorn, trivial_rps  # noqa: E402

NAME = "load_rushes"
STAFF_PAGES = ("home", "activity", "results", "analysis", "pupils", "class")


def campaign_answer(html, rng):
    """The fields a pupil posts for the challenge on `html`, or None at the end of the test."""
    challenge = field_value(html, "challenge")
    if challenge is None:
        return None
    data = {
        "csrfmiddlewaretoken": field_value(html, "csrfmiddlewaretoken") or "",
        "challenge": challenge,
        "type": field_value(html, "type") or "",
    }
    answers = [f for f in form_fields(html) if f.get("name") == "reponse"]
    if not answers or rng.random() < 0.2:
        return {**data, "passer": "1"}
    kind = answers[0].get("type", answers[0]["tag"])
    return {**data, "reponse": rng.choice(answers).get("value", "") if kind in ("radio", "checkbox") else "réponse"}


class Steps:
    """Timings and errors by step."""

    def __init__(self):
        self.timings = collections.defaultdict(list)
        self.errors = collections.Counter()

    async def request(self, step, call, expect=200):
        started = time.perf_counter()
        try:
            async with call as response:
                html = await response.text()
                if response.status != expect:
                    self.errors[f"{step}: {response.status}"] += 1
                    return None, None
        except Exception as error:  # noqa: BLE001 — every failure is counted
            self.errors[f"{step}: {type(error).__name__}"] += 1
            return None, None
        self.timings[step].append((time.perf_counter() - started) * 1000)
        return html, response

    def figures(self, order):
        return {
            step: {
                "requests": len(self.timings[step]),
                **figures(self.timings[step]),
                "errors": sum(n for kind, n in self.errors.items() if kind.startswith(f"{step}:")),
            }
            for step in order
        }


async def pupil_rush(base, code, cookies, args):
    steps = Steps()
    rng = random.Random(args.seed)
    connector = aiohttp_connector(len(cookies))
    started = time.monotonic()
    deadline = started + args.seconds

    async def pupil(cookie, rng):
        await asyncio.sleep(rng.uniform(0, args.arrival))
        async with browser(base, connector, cookie) as http:
            html, _ = await steps.request("code form", http.get(base + "/parcours/"))
            if html is None:
                return
            data = {"csrfmiddlewaretoken": field_value(html, "csrfmiddlewaretoken"), "code": code}
            await asyncio.sleep(rng.uniform(2, 6))  # typing the code
            html, _ = await steps.request("enter code", http.post(base + "/parcours/", data=data))
            if html is None:
                return
            data = {"csrfmiddlewaretoken": field_value(html, "csrfmiddlewaretoken")}
            html, response = await steps.request("start", http.post(base + f"/parcours/{code}/", data=data))
            if html is None:
                return
            answer_url = base + response.url.path + "reponse/"
            while time.monotonic() < deadline:
                await asyncio.sleep(rng.uniform(5, 25))
                data = campaign_answer(html, rng)
                if data is None or time.monotonic() >= deadline:
                    return
                html, _ = await steps.request("answer", http.post(answer_url, data=data))
                if html is None:
                    return

    await asyncio.gather(*(pupil(cookie, random.Random(rng.random())) for cookie in cookies))
    await connector.close()
    return steps, time.monotonic() - started


async def staff_rush(base, pages, cookies, args):
    steps = Steps()
    rng = random.Random(args.seed)
    connector = aiohttp_connector(len(cookies))
    deadline = time.monotonic() + args.staff_seconds

    async def member(cookie, rng):
        await asyncio.sleep(rng.uniform(0, 5))
        async with browser(base, connector, cookie) as http:
            n = rng.randrange(len(STAFF_PAGES))
            while time.monotonic() < deadline:
                step = STAFF_PAGES[n % len(STAFF_PAGES)]
                n += 1
                await steps.request(step, http.get(base + pages[step]))
                await asyncio.sleep(rng.uniform(3, 10))

    await asyncio.gather(*(member(cookie, random.Random(rng.random())) for cookie in cookies))
    await connector.close()
    return steps


async def warm_up(base, plan):
    """Each page once per gunicorn thread or so, unmeasured: templates, the challenge bank and the frames' code are
    loaded once per process, which a real school's morning has done long before its rush."""
    connector = aiohttp_connector(16)
    async with (
        browser(base, connector, plan["staff"][0]) as staff,
        browser(base, connector, plan["pupils"][0]) as pupil,
    ):
        calls = [staff.get(base + path) for _ in range(4) for path in plan["pages"].values()]
        calls += [pupil.get(base + "/parcours/") for _ in range(16)]
        for response in await asyncio.gather(*calls, return_exceptions=True):
            if not isinstance(response, BaseException):
                response.release()
    await connector.close()


def aiohttp_connector(size):
    import aiohttp

    return aiohttp.TCPConnector(limit=size + 10)


def certification_rush(base, plan, args):
    import load_session

    options = argparse.Namespace(seed=args.seed, seconds=args.session_seconds, think=(10.0, 40.0), ramp_seconds=0)
    measures, seconds, _steps, _keys = asyncio.run(load_session.play(base, plan, options))
    errors = collections.Counter(measures["errors"])
    by_step = {"start": "test page", "answer": "answer", "invigilator": "invigilator"}
    timings = {"start": measures["start"], "answer": measures["answer"], "invigilator": measures["polls"]["morning"]}
    return {
        step: {
            "requests": len(timings[step]),
            **figures(timings[step]),
            "errors": sum(n for kind, n in errors.items() if kind.startswith(prefix)),
        }
        for step, prefix in by_step.items()
    }, {"seconds": round(seconds, 1), "finished_tests": measures["finished"]}


def prepare(args):
    import load_session
    import results_pages
    from django.contrib.auth import get_user_model
    from throwaway import signed_in, throwaway_pupils, throwaway_school

    from orga.campaigns.services import create_campaign
    from orga.models import Membership

    school, admin = throwaway_school("0999997", "Collège de la rentrée (ruée)")
    pupils = throwaway_pupils(school, [f"{n}e Ruée" for n in (6, 5, 4, 3)], args.pupils, seed=args.seed)
    campaign = create_campaign(
        school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1", "2.1", "3.1", "4.1"]
    )
    session_plan = load_session.prepare(
        argparse.Namespace(sessions=1, candidates=30, ramp_seconds=0, ramp_candidates=0, seed=args.seed)
    )
    results_pages.BENCH_DIGITS = "0999998"  # a school of its own beside load_session's
    uai, results_school, results_campaign, results_admin, division = results_pages.prepare(args.participants)
    staff = [results_admin]
    for n in range(args.staff - 1):
        user = get_user_model().objects.create(username=f"bench.{uai}.staff{n}")
        Membership.objects.create(school=results_school, user=user, role="admin")
        staff.append(user)
    from django.urls import reverse

    on_campaign = {"uai": uai, "campaign_id": results_campaign.pk}
    pages = {
        "home": "/",
        "activity": reverse("orga:campaign_activity", kwargs=on_campaign),
        "results": reverse("orga:campaign_results", kwargs=on_campaign),
        "analysis": reverse("orga:campaign_analysis", kwargs=on_campaign),
        "pupils": reverse("orga:pupils", kwargs={"uai": uai}),
        "class": reverse("orga:class_progress", kwargs={"uai": uai, "division_id": division.pk}),
    }
    return {
        "code": campaign.code,
        "pupils": [signed_in(pupil.user) for pupil in pupils],
        "session": session_plan,
        "staff": [signed_in(user) for user in staff],
        "pages": pages,
    }


def main():
    parser = faultkit.arguments(__doc__, NAME)
    parser.set_defaults(redis_port=6392, port=8792)
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--arrival", type=float, default=60, help="seconds within which the pupils arrive")
    parser.add_argument("--seconds", type=float, default=150, help="length of the pupils' rush")
    parser.add_argument("--session-seconds", type=float, default=150, help="length of the certification's rush")
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--participants", type=int, default=1000, help="participants of the staff's campaign")
    parser.add_argument("--staff-seconds", type=float, default=90, help="length of the staff's rush")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    loads = [faultkit.load_average()]
    with faultkit.fault_services(args, NAME) as (env, _redis, _url, _name):
        from django.db import connections

        plan = prepare(args)
        connections.close_all()
        with gunicorn(args.port, args.workers, env=env) as base:
            asyncio.run(warm_up(base, plan))
            trivial = asyncio.run(trivial_rps(base, 8))
            loads.append(faultkit.load_average())
            pupil_steps, pupil_seconds = asyncio.run(pupil_rush(base, plan["code"], plan["pupils"], args))
            loads.append(faultkit.load_average())
            session_figures, session_run = certification_rush(base, plan["session"], args)
            loads.append(faultkit.load_average())
            staff_steps = asyncio.run(staff_rush(base, plan["pages"], plan["staff"], args))
            loads.append(faultkit.load_average())
        connections.close_all()
    rushes = {
        "pupils": {
            "people": args.pupils,
            "seconds": round(pupil_seconds, 1),
            "steps": pupil_steps.figures(("code form", "enter code", "start", "answer")),
        },
        "certification": {"people": "30 candidates + 1 invigilator", **session_run, "steps": session_figures},
        "staff": {
            "people": args.staff,
            "seconds": args.staff_seconds,
            "participants": args.participants,
            "steps": staff_steps.figures(STAFF_PAGES),
        },
    }
    errors = sum(step["errors"] for rush in rushes.values() for step in rush["steps"].values())
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "workers": args.workers,
        "trivial_rps": round(trivial, 1),
        "rushes": rushes,
        "errors": errors,
        "error_kinds": dict(pupil_steps.errors + staff_steps.errors),
        "load_average_1min": loads,  # before, after the reference, after each rush: others' work on the machine
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.write_docs:
        faultkit.replace_block(NAME, docs_block(result))
    sys.exit(1 if errors else 0)


def docs_block(result):
    lines = [
        f"**`python bench/load_rushes.py --write-docs`**, run {result['date']} ({result['seconds']} s; "
        f"{result['workers']} gunicorn workers × 4 threads; load average {result['load_average_1min']}: before, "
        "after the reference, after each rush). Reference in the same run: "
        f"`trivial_rps` {result['trivial_rps']} requests a second. Times in ms.",
        "",
        "| rush | step | requests | p50 | **p95** | max | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, rush in result["rushes"].items():
        for step, f in rush["steps"].items():
            lines.append(
                f"| {name} ({rush['people']}) | {step} | {f['requests']} | {f['median_ms']} | **{f['p95_ms']}** | "
                f"{f['max_ms']} | {f['errors']} |"
            )
    if result["error_kinds"]:
        lines += ["", f"Errors: {result['error_kinds']}."]
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")
    main()
