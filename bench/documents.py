"""Benchmark of the PDFs a whole school prints (issue 14): a class report of 35 pupils, and the guardians' letters of
1,000 pupils as one background job, each beside the same documents built by a reference commit in the same run.

    DATABASE_URL=postgres://… python bench/documents.py --pupils 1000 --reference 788f1dc --rounds 2 --json

Builds a throwaway school (N pupils in classes of 35, a campaign on the 16 competences with results for every
pupil, as bench/results_pages.py does), then, round after round, alternately in this tree and in the reference
commit (checked out with `git worktree` in a temporary directory, measured by this same script in a child process on
the same school):

- `class_report`: the class report (PDF) of the first class of 35 pupils, `build_class_pdf`;
- `class_letters`: the guardians' letter of every class, one PDF a class as the campaign page gives them;
- `credential_sheet`: a sheet of 140 pupils' credentials (made-up passwords, no account changed);
- `school_letters` (this tree only): the letters of every class as the job a school admin starts, from
  `start_report` to the file stored, on the eager path (no broker: the task runs when the transaction commits);
- `one_document` (this tree, with `--one-document`): the same letters as one WeasyPrint document, without chunks.

Each figure gives the wall-clock seconds and the CPU seconds of the process (less sensitive to the other
processes of a shared machine), and WeasyPrint's time split into its phases: `parse` (HTML parsing), `cascade`
(CSS cascade, computed styles), `boxes` (box tree), `layout` (lines, tables, pages), `draw` (painting the pages
into PDF streams, of which `svg` for inline SVG) and `pdf` (the rest of write_pdf: fonts, serialisation).
`--profile` also profiles one class report of each tree (cProfile) and gives the share of the profiled time spent in
HTML parsing, the CSS cascade, tables, flex, grid, absolutely positioned boxes (list markers outside), line
breaking, text drawing, SVG drawing and font subsetting (`HOTSPOTS`). Prints one JSON object.
Deletes the school at the end.
"""

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixdeploy.settings")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log
os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

PHASES = {}


def _timed(module, name, phase):
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[phase] = PHASES.get(phase, 0) + time.process_time() - started

    setattr(module, name, wrapper)


def _instrument():
    """CPU seconds of WeasyPrint's phases, added up in PHASES (the same names in every version measured); once."""
    if PHASES.get("instrumented"):
        return
    import weasyprint
    import weasyprint.document as document
    import weasyprint.svg as svg

    _timed(weasyprint.HTML, "__init__", "parse")
    _timed(weasyprint.HTML, "render", "render")
    _timed(document, "get_all_computed_styles", "cascade")
    _timed(document, "build_formatting_structure", "boxes")
    _timed(document.Document, "write_pdf", "write")
    _timed(document.Page, "paint", "draw")
    _timed(svg.SVG, "draw", "svg")
    PHASES["instrumented"] = True


def measure(work):
    """Run `work()`: its wall and CPU seconds and WeasyPrint's phases (CPU seconds)."""
    PHASES.clear()
    PHASES["instrumented"] = True
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    phases = {k: v for k, v in PHASES.items() if k != "instrumented"}
    render, write = phases.pop("render", 0), phases.pop("write", 0)
    phases["layout"] = render - phases.get("cascade", 0) - phases.get("boxes", 0)
    phases["pdf"] = write - phases.get("draw", 0)
    phases["draw"] = phases.get("draw", 0) - phases.get("svg", 0)
    order = ("parse", "cascade", "boxes", "layout", "draw", "svg", "pdf")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "phases_cpu_s": {k: round(phases.get(k, 0), 2) for k in order},
    }


# --- What both trees measure (only functions the reference has too) ----------------------------------


def class_report(division_id):
    from orga.models import Division
    from orga.results.exports import build_class_pdf
    from orga.results.frames import campaign_results, tube_analysis

    division = Division.objects.select_related("school").get(id=division_id)
    campaign = division.school.campaigns.get()
    results = campaign_results(campaign, campaign.participations.filter(pupil__division=division))
    analysis = tube_analysis(results)
    return lambda: build_class_pdf(results, division, analysis)


def class_letters(school_id):
    """Every class's letter, one PDF a class, with the template and context of the tree measured."""
    from django.utils import timezone

    from documents.pdf import render_pdf
    from orga.models import Division

    divisions = list(Division.objects.filter(school_id=school_id).select_related("school").order_by("name"))
    campaign = divisions[0].school.campaigns.get()
    competences = sorted(campaign.competences.all(), key=lambda c: c.code)

    def work():
        for division in divisions:
            pupils = (
                division.pupils.filter(is_active=True).select_related("division").order_by("last_name", "first_name")
            )
            context = {
                "campaign": campaign,
                "school": division.school,
                "division": division,
                "pupils": pupils,
                "competences": competences,
                "code_url": "https://pixdeploy.example/code/",
                "today": timezone.localdate(),
            }
            render_pdf("orga/pdf/guardians_letter.html", context)

    return work


# Where WeasyPrint spends its time, by cProfile's cumulative time of these functions (inflated by the profiler:
# read them as shares of the profiled total).
HOTSPOTS = {
    "html_parsing": ("tinyhtml5/parser.py", "parse"),
    "css_cascade": ("weasyprint/css/__init__.py", "get_all_computed_styles"),
    "tables": ("weasyprint/layout/table.py", "table_layout"),
    "flex": ("weasyprint/layout/flex.py", "flex_layout"),
    "grid": ("weasyprint/layout/grid.py", "grid_layout"),
    "absolute_boxes": ("weasyprint/layout/absolute.py", "absolute_layout"),
    "line_breaking": ("weasyprint/text/line_break.py", "split_first_line"),
    "text_drawing": ("weasyprint/draw/text.py", "draw_text"),
    "svg_drawing": ("weasyprint/svg/__init__.py", "draw"),
    "font_subsetting": ("weasyprint/pdf/fonts.py", "subset"),
}


def hotspots(work):
    """Each hotspot's share (%) of the profiled time of `work()`, and that time."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(work)
    stats = pstats.Stats(profile).stats
    total = sum(tottime for _, _, tottime, _, _ in stats.values())
    found = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        for name, (path, wanted) in HOTSPOTS.items():
            if function == wanted and filename.endswith(path):
                found[name] = max(found.get(name, 0), cumulative)
    shares = {name: round(100 * found.get(name, 0) / total, 1) for name in HOTSPOTS}
    return {"profiled_s": round(total, 2), "share_percent": shares}


def credential_sheet(school_id, count=140):
    """The credentials' sheet of `count` pupils (four classes), made-up passwords: no account is touched."""
    from orga.models import Pupil
    from orga.pupils.accounts import Credential, credentials_pdf

    pupils = Pupil.objects.filter(school_id=school_id).select_related("division", "school").order_by("id")[:count]
    credentials = [
        Credential(p.division.name, p.display_last_name, p.first_name, f"{p.first_name}.{p.id}".lower(), "Ab3-kP9-xQ2")
        for p in pupils
    ]
    school = pupils[0].school
    return lambda: credentials_pdf(credentials, school, "2nde 1", "https://pixdeploy.example/")


def measure_tree(school_id, division_id, profile=False):
    _instrument()
    figures = {
        "class_report": measure(class_report(division_id)),
        "class_letters": measure(class_letters(school_id)),
        "credential_sheet": measure(credential_sheet(school_id)),
    }
    if profile:
        figures["class_report_profile"] = hotspots(class_report(division_id))
    return figures


# --- This tree only ----------------------------------------------------------------------------------


def school_letters_job(school, admin):
    from orga.models import Report
    from orga.results.exports import start_report

    def work():
        report = start_report(
            school=school, campaign=school.campaigns.get(), kind=Report.Kind.SCHOOL_LETTERS, user=admin
        )
        report.refresh_from_db()
        assert report.status == Report.Status.DONE, (report.status, report.error)
        work.pages = _pages(report)

    return work


def _pages(report):
    from pypdf import PdfReader

    with report.file.open("rb") as handle:
        return len(PdfReader(handle).pages)


def one_document(school):
    from orga.campaigns.letters import code_url, letter_divisions, letter_pupils, letters_pdf

    campaign = school.campaigns.get()
    pupils = letter_pupils(letter_divisions(campaign))
    return lambda: letters_pdf(campaign, school, pupils, code_url(), chunk=len(pupils))


# --- The reference tree, in a child process ----------------------------------------------------------


def reference_tree(commit):
    """A temporary checkout of `commit` (git worktree), with this script and its helper copied in."""
    root = Path(tempfile.mkdtemp(prefix="pixdeploy-ref-"))
    subprocess.run(
        ["git", "-C", str(HERE.parent), "worktree", "add", "--detach", str(root), commit],
        check=True,
        capture_output=True,
    )
    for name in ("documents.py", "throwaway.py", "results_pages.py"):
        (root / "bench" / name).write_bytes((HERE / name).read_bytes())
    return root


def remove_tree(root):
    subprocess.run(
        ["git", "-C", str(HERE.parent), "worktree", "remove", "--force", str(root)], check=False, capture_output=True
    )


def measure_reference(root, school_id, division_id, profile=False):
    command = [sys.executable, str(root / "bench" / "documents.py"), "--measure-only", f"{school_id}:{division_id}"]
    command += ["--profile"] if profile else []
    done = subprocess.run(
        command,
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "MEDIA_ROOT": tempfile.gettempdir()},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--reference", help="a commit to measure beside this tree, e.g. main before issue 14")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--one-document", action="store_true", help="also the letters as one document, no chunks")
    parser.add_argument("--profile", action="store_true", help="where the class report's time goes, by cProfile")
    parser.add_argument("--measure-only", help=argparse.SUPPRESS)  # "school:division", in the reference's child
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.measure_only:
        school_id, division_id = (int(part) for part in args.measure_only.split(":"))
        print(json.dumps(measure_tree(school_id, division_id, profile=bool(args.profile))))
        return

    import results_pages
    from django.conf import settings
    from throwaway import remove_school

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="pixdeploy-bench-media-")
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the eager path, whatever the environment says
    from pixdeploy.celery import app

    app.conf.task_always_eager = True
    load_before = os.getloadavg()
    results_pages.BENCH_DIGITS = "0999914"  # a school of its own: results_pages.py may run at the same time
    uai, school, campaign, admin, first_class = results_pages.prepare(args.pupils)
    root = reference_tree(args.reference) if args.reference else None
    runs = []
    try:
        from orga.models import Pupil

        pupils, classes = Pupil.objects.filter(school=school).count(), school.divisions.count()
        report_pupils = first_class.pupils.count()
        for _ in range(args.rounds):
            run = {}
            if root:
                run["reference"] = measure_reference(root, school.id, first_class.id, profile=args.profile)
            run["this_tree"] = measure_tree(school.id, first_class.id, profile=args.profile)
            job = school_letters_job(school, admin)
            run["this_tree"]["school_letters"] = {**measure(job), "pages": job.pages}
            if args.one_document:
                run["this_tree"]["one_document"] = measure(one_document(school))
            runs.append(run)
    finally:
        remove_school(uai)
        if root:
            remove_tree(root)
    result = {
        "database": connection.vendor,
        "pupils": pupils,
        "classes": classes,
        "class_report_pupils": report_pupils,
        "reference": args.reference,
        "load_average": [round(x, 2) for x in load_before + os.getloadavg()],
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
