"""Fault: Redis stopped (the broker, the cache and the sessions' cache) while the site is used, then started again.

    python bench/faults/redis_down.py [--write-docs]

Starts its own redis-server (port 6391, no persistence: it comes back empty, as after a crash) and its own database
(`<DATABASE_URL's name>_redis_down`), gunicorn (one worker × 4 threads: the throttles' counts, kept in each
process's memory while Redis is down, are then the site's) and a Celery worker on them. An import runs in the
worker when this script stops its Redis — and only that Redis, by its port. While Redis is down it loads public
and signed-in pages, signs in with a password, tries wrong campaign codes and wrong passwords until throttled,
asks for an export, and opens the service's status page. Then it starts Redis again, and presses « Relancer » on
the export that could not be sent.

Holds when every page answers (no 500), sign-in works, both throttles still refuse after their limit, the export
asked while Redis is down answers its page and says in French that it could not be sent (« Relancer » offered,
no job left « en attente »), the import under way finishes, the worker survives, and after Redis is back the
export is done and the pages and sessions work. Prints one JSON object {fault, did, held, ok}; exits 1 otherwise.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultkit
from loadkit import figures, gunicorn

FAULT = "redis_down"
NOTES = (
    "gunicorn runs one process here, so that the throttles' counts kept in its memory are the site's; with N "
    "processes a throttle lets up to N times its limit through while Redis is down. After Redis fails, each process "
    "tries it again 5 s later: the cost of the outage is one refused connection per process every 5 s."
)
PASSWORD = "Panne-de-redis-2026"
WRONG_CODE = "ZZZZZZ999"
TOO_MANY = "essais erronés en peu de temps"  # accounts.rate_limits: the one policy of every secret


def prepare():
    from django.contrib.auth import get_user_model
    from throwaway import signed_in, throwaway_pupils, throwaway_school

    from orga.campaigns.services import create_campaign

    school, admin = throwaway_school("0999995", "Collège des pannes (Redis)")
    admin.set_password(PASSWORD)
    admin.must_change_password = False
    admin.save()
    pupil = throwaway_pupils(school, ["3e Redis"], 1, seed=8)[0].user
    pupil.must_change_password = False
    pupil.save()
    campaign = create_campaign(school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1"])
    superuser = get_user_model().objects.create(username=f"bench.super.{school.uai}", is_superuser=True, is_staff=True)
    return {
        "school": school,
        "admin": admin,
        "campaign": campaign,
        "cookies": {"admin": signed_in(admin), "pupil": signed_in(pupil), "superuser": signed_in(superuser)},
    }


def main():
    args = faultkit.arguments(__doc__, FAULT).parse_args()
    started = time.monotonic()
    did, held = [], {}
    with faultkit.fault_services(args, FAULT) as (env, redis, _url, _name):
        from django.db import connections
        from django.urls import reverse

        from accounts.rate_limits import MAX_PER_ACCOUNT
        from jobs import maintenance
        from jobs.models import NOT_SENT
        from orga.models import Report, SiecleImport
        from orga.pupils.siecle_sample import generated_pupils, siecle_xml

        plan = prepare()
        uai = plan["school"].uai
        connections.close_all()
        worker = faultkit.start_worker(env, "redis", JOBS_CHECKPOINT_DELAY=1.0)
        timings = []

        def timed(request, *args, **kwargs):
            begun = time.perf_counter()
            response = request(*args, **kwargs)
            timings.append((round((time.perf_counter() - begun) * 1000, 1), f"{response.request.method} {args[0]}"))
            return response

        try:
            with gunicorn(args.port, 1, env=env) as base:
                admin = faultkit.Browser(base, plan["cookies"]["admin"])
                pupil = faultkit.Browser(base, plan["cookies"]["pupil"])
                superuser = faultkit.Browser(base, plan["cookies"]["superuser"])
                imports = reverse("orga:imports", kwargs={"uai": uai})
                before = [admin.get("/").status_code, pupil.get("/").status_code]

                # An import under way in the worker when Redis stops.
                data = siecle_xml(uai, generated_pupils(200, ["6e A"], seed=4))
                admin.post(imports, files={"file": ("ElevesSansAdresses.xml", data)})
                running = SiecleImport.objects.latest("id")
                faultkit.wait_until(lambda: SiecleImport.objects.filter(pk=running.pk, status="running").exists(), 60)

                redis.stop()
                did.append(
                    f"redis-server on port {args.redis_port} stopped (shutdown nosave) while an import of 200 pupils "
                    "ran in the worker"
                )
                down = {}
                down["public pages"] = [
                    timed(faultkit.Browser(base).get, path).status_code
                    for path in (reverse("account_login"), reverse("certif:verify_form"), "/sante/")
                ]
                down["signed-in pages (admin, pupil)"] = [
                    timed(admin.get, "/").status_code,
                    timed(admin.get, reverse("orga:campaigns", kwargs={"uai": uai})).status_code,
                    timed(pupil.get, "/").status_code,
                ]
                newcomer = faultkit.Browser(base)
                sign_in = timed(
                    newcomer.post, reverse("account_login"), {"login": plan["admin"].username, "password": PASSWORD}
                )
                down["sign-in with a password"] = (sign_in.status_code, sign_in.url.removeprefix(base))
                codes = [
                    timed(pupil.post, reverse("orga:enter_code"), {"code": WRONG_CODE}).status_code
                    for _ in range(MAX_PER_ACCOUNT + 1)
                ]
                guesser = faultkit.Browser(base)
                wrong = [
                    timed(guesser.post, reverse("account_login"), {"login": plan["admin"].username, "password": "faux"})
                    for _ in range(MAX_PER_ACCOUNT + 1)
                ]
                report_page = timed(
                    admin.post,
                    reverse("orga:report_create", kwargs={"uai": uai}),
                    {"campaign": plan["campaign"].pk, "kind": "results_csv"},
                    form_page=reverse("orga:reports", kwargs={"uai": uai}),
                )
                report = Report.objects.latest("id")
                status_page = timed(superuser.get, reverse("service_status"))
                finished = faultkit.wait_until(
                    lambda: SiecleImport.objects.filter(pk=running.pk, status="done").exists(), 120
                )
                worker_alive = worker.poll() is None
                did.append(
                    f"while down: public and signed-in pages, a sign-in, {MAX_PER_ACCOUNT + 1} wrong campaign codes "
                    f"by a pupil, {MAX_PER_ACCOUNT + 1} wrong passwords for one account, an export asked, "
                    "the status page /etat/"
                )

                redis.start()
                time.sleep(6)  # the cache tries Redis again 5 s after its last failure
                did.append("redis-server started again, empty; « Relancer » pressed on the export's page")
                after_pages = [admin.get("/").status_code, pupil.get("/").status_code]
                detail = reverse("orga:report_detail", kwargs={"uai": uai, "report_id": report.pk})
                retry_url = reverse("orga:report_retry", kwargs={"uai": uai, "report_id": report.pk})
                retry = admin.post(retry_url, {}, form_page=detail)
                report_done = faultkit.wait_until(
                    lambda: Report.objects.filter(pk=report.pk, status="done").exists(), 120, step=0.5
                )
                after_sign_in = faultkit.Browser(base).post(
                    reverse("account_login"), {"login": plan["admin"].username, "password": PASSWORD}
                )
                active = sum(model.objects.active().count() for model in maintenance.job_models())
        finally:
            faultkit.stop(worker)
            connections.close_all()

        held["public pages while down (login, /verifier/, /sante/)"] = down["public pages"] == [200, 200, 200]
        held["signed-in pages while down (sessions read from the database)"] = set(
            down["signed-in pages (admin, pupil)"]
        ) == {200}
        held["sign-in while down"] = sign_in.status_code == 200 and down["sign-in with a password"][1] == "/"
        held["wrong campaign codes while down (statuses)"] = codes
        held[f"campaign-code throttle still refuses after {MAX_PER_ACCOUNT} wrong codes"] = (
            codes[:-1] == [400] * MAX_PER_ACCOUNT and codes[-1] == 429
        )
        held[f"sign-in throttle still refuses after {MAX_PER_ACCOUNT} wrong passwords"] = TOO_MANY in wrong[
            -1
        ].text and not any(TOO_MANY in response.text for response in wrong[:-1])
        held["export asked while down: its page answers (no 500)"] = report_page.status_code == 200 and (
            report_page.url.endswith(f"/exports/{report.pk}/")
        )
        held["export asked while down: says in French it could not be sent, « Relancer » offered"] = (
            NOT_SENT.split(" :")[0] in report_page.text and "Relancer" in report_page.text
        )
        held["status page while down says « En panne » (200)"] = (
            status_page.status_code == 200 and "En panne" in status_page.text
        )
        held["ms of the requests while down (median, p95, max)"] = figures([ms for ms, _ in timings])
        held["slowest request while down (ms)"] = max(timings)
        held["import under way when Redis stopped: done"] = finished
        held["worker survived the outage"] = worker_alive
        held["pages after Redis is back (sessions kept)"] = after_pages == [200, 200] and before == [200, 200]
        held["export done after « Relancer »"] = report_done and retry.status_code == 200
        held["sign-in after Redis is back"] = after_sign_in.url.removeprefix(base) == "/"
        held["no job left queued or running"] = active == 0
    faultkit.finish(FAULT, did, held, started, args.write_docs, NOTES)


if __name__ == "__main__":
    main()
