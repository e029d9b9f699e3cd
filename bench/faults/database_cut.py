"""Fault: the app's PostgreSQL connections cut under load (pg_terminate_backend), three times.

    python bench/faults/database_cut.py [--write-docs]

Starts its own database (`<DATABASE_URL's name>_database_cut`), its own redis-server (port 6391), gunicorn
(2 workers × 4 threads, persistent connections: `CONN_MAX_AGE=60`, as in production) and a Celery worker on them.
Signed-in browsers (a school admin and pupils) load pages without pause, while a SIECLE import runs slowly in the
worker; once the import writes its pupils, every connection to the fault's database (and to no other) is
terminated, then again twice, `--gap` seconds apart.

Holds when every answer is either the page (200) or the French 503 page with `Retry-After`, never a 500 nor a
dropped connection; when each browser's request after a 503 succeeds; when everything after the last cut
succeeds; when the import in flight ends « interrompu » with its French message and its upload kept (not « en
cours »), and « Relancer » on its page finishes it. Prints one JSON object {fault, did, held, ok}; exits 1 otherwise.
"""

import collections
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultkit
from loadkit import figures, gunicorn

FAULT = "database_cut"
NOTES = (
    "A request gets the 503 page when its query is under way at the cut; a connection idle at the cut is replaced "
    "before the next request's first query (`CONN_HEALTH_CHECKS`), so the number of 503 pages is the number of "
    "requests in flight. Times are those of a machine shared with other work (see the load average)."
)
FRENCH_503 = "Service momentanément indisponible"


def prepare(pupil_count):
    from throwaway import signed_in, throwaway_pupils, throwaway_school

    from orga.campaigns.services import create_campaign

    school, admin = throwaway_school("0999994", "Collège des pannes (base)")
    pupils = throwaway_pupils(school, ["3e Coupure"], pupil_count, seed=6)
    create_campaign(school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1"])
    return school, signed_in(admin), [signed_in(pupil.user) for pupil in pupils]


def browse(base, cookie, paths, stop, answers):
    """Load `paths` in turn without pause until told to stop; each answer as (time, path, kind, ms)."""
    browser = faultkit.Browser(base, cookie)
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        try:
            response = browser.http.get(base + path, timeout=30, allow_redirects=False)
            if response.status_code == 200:
                kind = "ok"
            elif response.status_code == 503 and FRENCH_503 in response.text and response.headers.get("Retry-After"):
                kind = "french_503"
            else:
                kind = f"http_{response.status_code}"
        except Exception as error:  # noqa: BLE001 — a dropped connection is what must not happen
            kind = type(error).__name__
        answers.append((time.monotonic(), path, kind, (time.perf_counter() - started) * 1000))


def main():
    parser = faultkit.arguments(__doc__, FAULT)
    parser.add_argument("--browsers", type=int, default=16, help="signed-in browsers loading pages without pause")
    parser.add_argument("--gap", type=float, default=6, help="seconds between two cuts")
    args = parser.parse_args()
    started = time.monotonic()
    did, held = [], {}
    with faultkit.fault_services(args, FAULT) as (env, redis, url, name):
        from django.db import connection, connections
        from django.urls import reverse

        from jobs.models import DATABASE_LOST, INTERRUPTED
        from orga.models import SiecleImport
        from orga.pupils.siecle_sample import generated_pupils, siecle_xml

        school, admin_cookie, pupil_cookies = prepare(args.browsers)
        uai = school.uai
        admin_paths = ["/", reverse("orga:campaigns", kwargs={"uai": uai}), reverse("orga:pupils", kwargs={"uai": uai})]
        connections.close_all()
        worker = faultkit.start_worker(env, "cut", JOBS_CHECKPOINT_DELAY=1.5)
        try:
            with gunicorn(args.port, 2, env=env) as base:
                answers_by_browser = [[] for _ in range(args.browsers)]
                stop = threading.Event()
                threads = [
                    threading.Thread(
                        target=browse,
                        args=(
                            base,
                            admin_cookie if n % 4 == 0 else pupil_cookies[n],
                            admin_paths if n % 4 == 0 else ["/"],
                            stop,
                            answers,
                        ),
                    )
                    for n, answers in enumerate(answers_by_browser)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(3)
                admin = faultkit.Browser(base, admin_cookie)
                imports = reverse("orga:imports", kwargs={"uai": uai})
                data = siecle_xml(uai, generated_pupils(300, ["6e A", "6e B"], seed=2))
                admin.post(imports, files={"file": ("ElevesSansAdresses.xml", data)})
                job = SiecleImport.objects.latest("id")
                in_transaction = faultkit.wait_until(
                    lambda: SiecleImport.objects.filter(pk=job.pk, progress__gte=60).exists(), 120
                )
                time.sleep(0.5)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    own_pid = cursor.fetchone()[0]
                cuts = []
                for _ in range(3):
                    cuts.append((time.monotonic(), faultkit.cut_connections(url, name, keep_pid=own_pid)))
                    time.sleep(args.gap)
                stop.set()
                for thread in threads:
                    thread.join()
                job_ended = faultkit.wait_until(
                    lambda: SiecleImport.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(), 60
                )
                job.refresh_from_db()
                at_cut = {"status": job.status, "error": job.error, "upload kept": bool(job.file)}
                page = admin.get(f"{imports}{job.pk}/")
                retried = False
                if job.can_retry:
                    admin.post(f"{imports}{job.pk}/relancer/", form_page=f"{imports}{job.pk}/")
                    retried = faultkit.wait_until(
                        lambda: SiecleImport.objects.filter(pk=job.pk, status="done").exists(), 120
                    )
                alive = admin.get("/").status_code == 200
        finally:
            faultkit.stop(worker)
            connections.close_all()

        every = [answer for answers in answers_by_browser for answer in answers]
        kinds = collections.Counter(kind for _, _, kind, _ in every)
        after_503 = [
            answers[i + 1][2]
            for answers in answers_by_browser
            for i in range(len(answers) - 1)
            if answers[i][2] == "french_503"
        ]
        last_cut = cuts[-1][0]
        settled = [kind for moment, _, kind, _ in every if moment > last_cut + 1]
        did.append(
            f"{args.browsers} signed-in browsers loaded pages without pause through gunicorn (2 workers × 4 threads, "
            f"CONN_MAX_AGE=60) for {round(time.monotonic() - started)} s, {len(every)} requests"
        )
        did.append(
            "a SIECLE import of 300 pupils queued on the page; once it wrote its pupils, pg_terminate_backend on "
            f"every connection to {name}: {[count for _, count in cuts]} connections cut, {args.gap} s apart"
        )
        did.append("« Relancer » pressed on the interrupted import's page")
        held["answers"] = dict(kinds)
        held["only 200 or the French 503 page with Retry-After (no 500, no dropped connection)"] = set(kinds) <= {
            "ok",
            "french_503",
        }
        held["the same browser's next request after a 503 succeeded"] = f"{after_503.count('ok')} of {len(after_503)}"
        held["every next request after a 503 succeeded"] = all(kind == "ok" for kind in after_503)
        held["every request from 1 s after the last cut succeeded"] = bool(settled) and set(settled) == {"ok"}
        held["ms of the requests (median, p95, max)"] = figures([ms for *_, ms in every])
        held["import: was writing its pupils at the cut"] = in_transaction
        held["import: ended, not left « en cours »"] = job_ended and at_cut["status"] == "failed"
        held["import: interrupted with a French message, upload kept"] = (
            at_cut["error"] in (DATABASE_LOST, INTERRUPTED) and at_cut["upload kept"]
        )
        held["import: its page 200 and says so"] = page.status_code == 200 and "interrompu" in page.text
        held["import: done after « Relancer »"] = retried
        held["the site answers after the cuts"] = alive
    faultkit.finish(FAULT, did, held, started, args.write_docs, NOTES)


if __name__ == "__main__":
    main()
