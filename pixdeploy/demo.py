"""The demo school: a lived-in collège for newcomers and for the browser tests.

Idempotent: running it again finds the same school, people and pupils, and resets
the demo passwords so that the printed logins always work.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orga.models import Membership, School, SiecleImport
from orga.pupils.accounts import generate_accounts
from orga.pupils.importing import apply_pupils
from orga.pupils.siecle import parse_pupils_file
from orga.pupils.siecle_sample import generated_pupils, siecle_xml
from pixdeploy.academie import process_report
from pixdeploy.demo_campaigns import seed_campaigns
from pixdeploy.demo_certification import seed_certification, seed_published_session
from pixdeploy.models import AcademieReferent, AcademieReport
from pixdeploy.zones import academie_key

DEMO_UAI = "0751234J"
DEMO_SCHOOL_NAME = "Collège Victor-Hugo"
DEMO_DIVISIONS = ["3e A", "3e B", "4e A", "4e B"]
PUPILS_PER_DIVISION = 26  # 104 pupils in the file, 2 of whom have left

STAFF = [
    # role key in the printed logins (None: not printed), username, e-mail, first name, last name, membership role
    ("principal", "m.lefort", "principal@victor-hugo.demo.fr", "Martine", "Lefort", Membership.Role.ADMIN),
    ("coadmin", "p.nguyen", "pierre.nguyen@victor-hugo.demo.fr", "Pierre", "Nguyen", Membership.Role.ADMIN),
    ("teacher", "c.moreau", "claire.moreau@victor-hugo.demo.fr", "Claire", "Moreau", Membership.Role.MEMBER),
    (None, "a.benali", "amine.benali@victor-hugo.demo.fr", "Amine", "Benali", Membership.Role.MEMBER),
]
SUPERUSER = ("superuser", "admin", "admin@pixdeploy.demo.fr")
# The académie referent follows the demo school's académie in the académie view, with no school of their own.
REFERENT = ("referent", "referent.academie", "referent@ac-paris.demo.fr", "Rémi", "Garnier")
DEMO_PASSWORD = "Pix-demo-2026"


def _user(username, email="", first_name="", last_name="", **flags):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    for key, value in flags.items():
        setattr(user, key, value)
    user.set_password(DEMO_PASSWORD)
    user.must_change_password = False
    user.save()
    return user


def _import_pupils(school):
    """Through the real import: a generated ElevesSansAdresses.xml, parsed and applied as an upload would be."""
    start_year = int(school.school_year[:4])
    pupils = generated_pupils(len(DEMO_DIVISIONS) * PUPILS_PER_DIVISION, DEMO_DIVISIONS, school_year=start_year)
    # Two pupils left during the summer: SIECLE still lists them, with a DATE_SORTIE.
    data = siecle_xml(school.uai, pupils, school_year=start_year, left=(7, 60))
    parsed = parse_pupils_file(data, "ElevesSansAdresses.xml", expected_uai=school.uai)
    report = apply_pupils(school, parsed)
    changed = report["created"] or report["updated"] or report["disabled"]
    if not changed and school.imports.exists():
        return  # seeded already: keep the history as it is
    now = timezone.now()
    SiecleImport.objects.create(
        school=school,
        original_name="ElevesSansAdresses.xml",
        status=SiecleImport.Status.DONE,
        progress=100,
        report=report,
        started_at=now,
        finished_at=now,
    )


def _seed_academie_report(key):
    """The académie view's table, computed once here so that the referent finds it filled (« Recalculer » then)."""
    if not AcademieReport.objects.filter(academie=key, status=AcademieReport.Status.DONE).exists():
        report = AcademieReport.objects.create(academie=key)
        process_report(report.id)


@transaction.atomic
def seed_demo():
    """Create or refresh the demo school; return its UAI and the logins by role."""
    school, _ = School.objects.update_or_create(
        uai=DEMO_UAI,
        defaults={"name": DEMO_SCHOOL_NAME, "type": School.Type.COLLEGE, "academie": "Paris"},
    )
    logins = {}
    role, username, email = SUPERUSER
    _user(username, email, "Admin", "pixdeploy", is_superuser=True, is_staff=True)
    logins[role] = username
    role, username, email, first, last = REFERENT
    AcademieReferent.objects.get_or_create(user=_user(username, email, first, last), academie=school.academie)
    logins[role] = username
    staff = {}
    for role, username, email, first, last, membership_role in STAFF:
        user = staff[username] = _user(username, email, first, last)
        Membership.objects.update_or_create(
            school=school, user=user, defaults={"role": membership_role, "is_active": True}
        )
        if role:
            logins[role] = username

    _import_pupils(school)
    # The teachers follow their classes ("Mes classes").
    for username, names in (("c.moreau", ["3e A", "3e B"]), ("a.benali", ["4e A", "4e B"])):
        membership = Membership.objects.get(school=school, user=staff[username])
        membership.divisions.set(school.divisions.filter(name__in=names))
    # One pupil gets an account now, with the demo password; the school generates the others' sheets.
    first = school.pupils.filter(is_active=True).order_by("id").first()
    if first.user_id is None:
        generate_accounts([first])
        first.refresh_from_db()
    first.user.set_password(DEMO_PASSWORD)
    first.user.must_change_password = False
    first.user.save()
    logins["pupil"] = first.user.username
    seed_campaigns(school, staff, first)
    planned = seed_certification(school, staff)
    seed_published_session(school, staff, first)
    _seed_academie_report(academie_key(school.academie))
    logins = {role: {"username": name, "password": DEMO_PASSWORD} for role, name in logins.items()}
    # The invigilator needs no account: the planned session's number and password open its space.
    logins["invigilator"] = {"session_number": planned.number, "password": planned.invigilator_password}
    return {"uai": school.uai, "school": school.name, "logins": logins}
