"""Where an answer-and-next round trip spends its time, in this process (Django's test client, no server).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/profile_answer.py --answers 200 --json

Prepares load_campaign.py's throwaway school (pupils signed in, one campaign on 5 competences), then plays the
pupils' answer-and-next pair (the POST of the answer, the GET of the next challenge it redirects to) with DEBUG
off, as gunicorn would run it, and for reference the trivial views: `/sante/` (answered before any middleware),
`/sante/pile/` (nothing, behind every middleware, signed in) and a static page. Prints the SQL statements of one
pair, the milliseconds of CPU a pair and a reference request take, and with --profile where the pair's CPU time
goes (cProfile on process time: the machine is shared), the profile kept in /tmp/answers-profile.pstats.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from load_campaign import prepare  # noqa: E402
from throwaway import forget_sessions, remove_school  # noqa: E402

CHALLENGE_RE = re.compile(r'name="challenge" value="(\d+)"')
TYPE_RE = re.compile(r'name="type" value="(\w+)"')
REFERENCE_PATHS = ("/sante/", "/sante/pile/", "/mentions-legales/")


class Pupil:
    def __init__(self, cookie, code):
        self.client = Client(HTTP_HOST="127.0.0.1")
        self.client.cookies[cookie[0]] = cookie[1]
        response = self.client.post(f"/parcours/{code}/", follow=True)
        self.take = response.redirect_chain[-1][0]
        self.html = response.content.decode()

    def answer(self, n):
        match = CHALLENGE_RE.search(self.html)
        if not match:
            return None
        kind = TYPE_RE.search(self.html).group(1)
        data = {"challenge": match.group(1), "type": kind}
        if n % 5 == 0:
            data["passer"] = "1"
        else:
            data["reponse"] = "0" if kind != "qroc" else "reponse"
        posted = self.client.post(self.take + "reponse/", data)
        page = self.client.get(posted["Location"])
        self.html = page.content.decode()
        return posted, page


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=40)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the answers")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    uai, code, cookies = prepare(args.pupils)  # load_campaign.py's school, pupils and campaign
    try:
        pupils = [Pupil(cookie, code) for cookie in cookies]
        # Warm up: templates compiled, the bank loaded, connections open.
        for n, pupil in enumerate(pupils[:5]):
            pupil.answer(n)
        posted_queries, page_queries = [], []
        with connection.execute_wrapper(_logged(posted_queries)):
            pupils[5].client.post(pupils[5].take + "reponse/", _data(pupils[5].html))
        with connection.execute_wrapper(_logged(page_queries)):
            pupils[5].html = pupils[5].client.get(pupils[5].take).content.decode()
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time: the machine is shared
        done, cpu = 0, time.process_time()
        wall = time.perf_counter()
        if profiler:
            profiler.enable()
        while done < args.answers:
            for n, pupil in enumerate(pupils):
                if done >= args.answers:
                    break
                if pupil.answer(done + n) is not None:
                    done += 1
        if profiler:
            profiler.disable()
        pair_cpu_ms = (time.process_time() - cpu) * 1000 / done
        pair_wall_ms = (time.perf_counter() - wall) * 1000 / done
        references = {path: _reference(path, cookies[0]) for path in REFERENCE_PATHS}
    finally:
        remove_school(uai)
        forget_sessions(key for _, key in cookies)
    result = {
        "database": connection.vendor,
        "answers": done,
        "answer_queries": [len(posted_queries), len(page_queries)],
        "pair_cpu_ms": round(pair_cpu_ms, 2),
        "pair_wall_ms": round(pair_wall_ms, 2),
        **{f"{path} cpu_ms": round(ms, 3) for path, ms in references.items()},
    }
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.dump_stats("/tmp/answers-profile.pstats")
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        print("\n".join(sql[:200] for sql in posted_queries + ["--- page"] + page_queries))
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


def _logged(into):
    def wrapper(execute, sql, params, many, context):
        into.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def _reference(path, cookie, count=500):
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[cookie[0]] = cookie[1]
    client.get(path)
    cpu = time.process_time()
    for _ in range(count):
        client.get(path)
    return (time.process_time() - cpu) * 1000 / count


def _data(html):
    kind = TYPE_RE.search(html).group(1)
    return {"challenge": CHALLENGE_RE.search(html).group(1), "type": kind, "reponse": "0" if kind != "qroc" else "x"}


if __name__ == "__main__":
    main()
