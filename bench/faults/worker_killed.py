"""Fault: a Celery worker killed (SIGKILL) in the middle of an import, an export and a certification document.

    python bench/faults/worker_killed.py [--write-docs]

Starts its own database (`<DATABASE_URL's name>_worker_killed`), its own redis-server (port 6391), gunicorn and
Celery workers on them, with short timeouts (a runner silent 3 s is dead, Redis redelivers after 4 s). A school
admin, signed in, asks through the pages for each job while a worker runs it slowly (JOBS_CHECKPOINT_DELAY), and
the worker is killed once the job is under way:

1. a SIECLE import (300 pupils): the whole worker killed (`--pool=solo`); a new worker started after Redis's
   visibility timeout receives the unacknowledged task again and redoes the import;
2. a results export (Excel): only the pool's process killed (`--pool=prefork`): the task is rejected at once
   (`task_reject_on_worker_lost`), delivered again to the same worker, which waits for the dead runner's heartbeat
   to age (`task.retry`) and redoes it;
3. the convocations of a 60-candidate session: the whole worker killed, as in 1;
4. another import killed with no worker coming back: the stale-job check (what beat runs every minute) marks it
   « Interrompu » with a French message; the admin presses « Relancer » on the page and a worker finishes it.

Holds when every job ends « terminé » with its attempts counted, nothing half-written (pupils, files), every page
answers 200, and no job is left queued or running. Prints one JSON object {fault, did, held, ok}; exits 1 otherwise.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultkit
from loadkit import gunicorn

FAULT = "worker_killed"
NOTES = (
    "Timeouts shortened for the run (heartbeat 3 s, visibility 4 s, failed after 5 s silent). With production's "
    "defaults a whole worker's task comes back after `CELERY_VISIBILITY_TIMEOUT` (360 s), a pool process's at once "
    "but redone once the dead runner's heartbeat is `JOBS_HEARTBEAT_TIMEOUT` old (300 s), and a job left without "
    "worker is marked « Interrompu » after `JOBS_FAIL_AFTER` (15 min)."
)
SLOW = {"JOBS_CHECKPOINT_DELAY": 2.0}


def prepare():
    import datetime

    from django.utils import timezone
    from throwaway import signed_in, throwaway_pupils, throwaway_school

    from certif.candidates.enrolment import identity_of
    from certif.sessions.models import Candidate
    from certif.sessions.services import create_session
    from orga.campaigns.services import create_campaign

    school, admin = throwaway_school("0999993", "Collège des pannes (worker)")
    pupils = throwaway_pupils(school, ["3e Panne"], 60, seed=5)
    campaign = create_campaign(
        school=school, owner=admin, name="Rentrée", type="assessment", competence_codes=["1.1", "2.1"]
    )
    session = create_session(
        school=school,
        created_by=admin,
        invigilators=[("Surveillant", None)],
        grade="3e",
        date=timezone.localdate() + datetime.timedelta(days=7),
        start_time=datetime.time(9, 0),
        room="Salle 1",
        address="1 rue des Pannes",
        capacity=60,
    )
    Candidate.objects.bulk_create(Candidate(session=session, pupil=p, **identity_of(p)) for p in pupils)
    return school, admin, campaign, session, signed_in(admin)


def siecle_file(uai, seed):
    from orga.pupils.siecle_sample import generated_pupils, siecle_xml

    return siecle_xml(uai, generated_pupils(300, ["6e A", "6e B", "6e C"], seed=seed))


def main():
    args = faultkit.arguments(__doc__, FAULT).parse_args()
    started = time.monotonic()
    did, held = [], {}
    with faultkit.fault_services(args, FAULT) as (env, redis, _url, _name):
        from django.core.files.storage import default_storage
        from django.urls import reverse

        from certif.models import SessionDocument
        from jobs import maintenance
        from jobs.models import INTERRUPTED
        from orga.models import Pupil, Report, SiecleImport

        school, _admin, campaign, session, cookie = prepare()
        uai = school.uai
        workers = []

        def worker(name, pool="solo", **extra):
            workers.append(faultkit.start_worker(env, name, pool=pool, **extra))
            return workers[-1]

        def job_reached(model, pk, progress=1):
            return faultkit.wait_until(
                lambda: model.objects.filter(pk=pk, status="running", progress__gte=progress).exists(), 120
            )

        def ended(model, pk, seconds=240):
            faultkit.wait_until(
                lambda: model.objects.filter(pk=pk, status__in=["done", "failed"]).exists(), seconds, step=0.3
            )
            return model.objects.get(pk=pk)

        try:
            with gunicorn(args.port, 2, env=env) as base:
                admin = faultkit.Browser(base, cookie)
                imports = reverse("orga:imports", kwargs={"uai": uai})

                # 1. The import: the whole worker killed while it writes the pupils.
                first = worker("import-1", **SLOW)
                response = admin.post(imports, files={"file": ("ElevesSansAdresses.xml", siecle_file(uai, 1))})
                job = SiecleImport.objects.latest("id")
                # Killed inside the transaction that writes the pupils (its checkpoints pause there).
                reached = job_reached(SiecleImport, job.pk, progress=60)
                time.sleep(1)
                faultkit.kill(first)
                killed_at = time.monotonic()
                at_kill = SiecleImport.objects.get(pk=job.pk)
                pupils_at_kill = Pupil.objects.filter(school=school, division__name__startswith="6e").count()
                time.sleep(int(env["CELERY_VISIBILITY_TIMEOUT"]) + 0.5)
                worker("import-2")
                job = ended(SiecleImport, job.pk)
                page = admin.get(f"{imports}{job.pk}/")
                did.append(
                    f"import of 300 pupils asked on the page ({response.status_code}); worker (solo) killed at "
                    f"{at_kill.progress} % « {at_kill.progress_label} »; a new worker started "
                    f"{env['CELERY_VISIBILITY_TIMEOUT']} s later"
                )
                held["import: killed while running"] = reached and at_kill.status == "running"
                held["import: no pupil written by the killed run"] = pupils_at_kill == 0
                held["import: done on redelivery"] = job.status == "done"
                held["import: attempts"] = job.attempts
                held["import: seconds from the kill to done"] = since(killed_at, job)
                held["import: 300 pupils, once"] = (
                    Pupil.objects.filter(school=school, division__name__startswith="6e").count() == 300
                )
                held["import: upload deleted"] = not job.file
                held["import: page says « Import terminé » (200)"] = (
                    page.status_code == 200 and "Import terminé" in page.text
                )
                faultkit.stop(workers[-1])

                # 2. The export: the pool's process killed while it builds the workbook.
                pool_worker = worker("report", pool="prefork", **SLOW)
                faultkit.wait_until(lambda: faultkit.pool_children(pool_worker), 30)
                response = admin.post(
                    reverse("orga:report_create", kwargs={"uai": uai}),
                    {"campaign": campaign.pk, "kind": "results_xlsx"},
                    form_page=reverse("orga:reports", kwargs={"uai": uai}),
                )
                report = Report.objects.latest("id")
                reached = job_reached(Report, report.pk)
                children = faultkit.pool_children(pool_worker)
                killed_at = time.monotonic()
                for child in children:
                    faultkit.kill(child)
                at_kill = Report.objects.get(pk=report.pk)
                report = ended(Report, report.pk)
                page = admin.get(reverse("orga:report_detail", kwargs={"uai": uai, "report_id": report.pk}))
                did.append(
                    f"Excel export asked on the page ({response.status_code}); the prefork worker's pool process "
                    f"killed at {at_kill.progress} % « {at_kill.progress_label} »; the same worker kept running"
                )
                held["export: killed while running"] = reached and at_kill.status == "running" and bool(children)
                held["export: done on the same worker"] = report.status == "done" and pool_worker.poll() is None
                held["export: attempts"] = report.attempts
                held["export: seconds from the kill to done"] = since(killed_at, report)
                held["export: one file"] = bool(report.file) and default_storage.exists(report.file.name)
                held["export: page 200"] = page.status_code == 200
                faultkit.stop(pool_worker)

                # 3. The convocations: the whole worker killed while WeasyPrint lays them out.
                first = worker("document-1", **SLOW)
                kwargs = {"uai": uai, "session_id": session.pk, "kind": "convocations"}
                documents = reverse("certif:session_document_page", kwargs=kwargs)
                response = admin.post(documents + "preparer/", form_page=documents)
                document = SessionDocument.objects.latest("id")
                reached = job_reached(SessionDocument, document.pk, progress=40)
                faultkit.kill(first)
                killed_at = time.monotonic()
                at_kill = SessionDocument.objects.get(pk=document.pk)
                time.sleep(int(env["CELERY_VISIBILITY_TIMEOUT"]) + 0.5)
                worker("document-2")
                document = ended(SessionDocument, document.pk)
                page = admin.get(documents)
                did.append(
                    f"convocations of 60 candidates asked on the page ({response.status_code}); worker (solo) killed "
                    f"at {at_kill.progress} % « {at_kill.progress_label} »; a new worker started "
                    f"{env['CELERY_VISIBILITY_TIMEOUT']} s later"
                )
                held["document: killed while running"] = reached and at_kill.status == "running" and not at_kill.file
                held["document: done on redelivery"] = document.status == "done" and bool(document.file)
                held["document: attempts"] = document.attempts
                held["document: seconds from the kill to done"] = since(killed_at, document)
                held["document: page 200"] = page.status_code == 200
                faultkit.stop(workers[-1])

                # 4. An import killed, and no worker comes back: the stale-job check, then the admin's retry.
                first = worker("import-3", **SLOW)
                admin.post(imports, files={"file": ("ElevesSansAdresses.xml", siecle_file(uai, 2))})
                job = SiecleImport.objects.latest("id")
                job_reached(SiecleImport, job.pk)
                faultkit.kill(first)
                killed_at = time.monotonic()
                faultkit.wait_until(lambda: maintenance.fail_stale_jobs() > 0, 30, step=0.5)  # beat's task
                job.refresh_from_db()
                page = admin.get(f"{imports}{job.pk}/")
                interrupted = job.status == "failed" and job.error == INTERRUPTED and job.can_retry
                shown = page.status_code == 200 and "interrompu" in page.text and "Relancer" in page.text
                worker("import-4")
                retry = admin.post(f"{imports}{job.pk}/relancer/", form_page=f"{imports}{job.pk}/")
                job = ended(SiecleImport, job.pk)
                did.append(
                    "another import's worker killed with no worker left; the stale-job check run as beat runs it; "
                    f"« Relancer » pressed on the page ({retry.status_code}) once a worker was back"
                )
                held["stale: marked « Interrompu » with its French message, retry offered"] = interrupted
                held["stale: the page says so (200)"] = shown
                held["stale: done after « Relancer »"] = job.status == "done"

                active = sum(model.objects.active().count() for model in maintenance.job_models())
                held["no job left queued or running"] = active == 0
                held["jobs of every kind"] = sorted(
                    f"{model.__name__}: {dict(_statuses(model))}" for model in maintenance.job_models()
                )
        finally:
            for process in workers:
                faultkit.stop(process)
            from django.db import connections

            connections.close_all()
    faultkit.finish(FAULT, did, held, started, args.write_docs, NOTES)


def since(moment, job):
    """Seconds from `moment` (time.monotonic()) to the job's end as the database dates it, measured now."""
    from django.utils import timezone

    if job.finished_at is None:
        return None
    return round(time.monotonic() - moment - (timezone.now() - job.finished_at).total_seconds(), 1)


def _statuses(model):
    from django.db.models import Count

    return model.objects.values_list("status").annotate(n=Count("id")).order_by("status")


if __name__ == "__main__":
    main()
