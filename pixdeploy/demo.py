"""The demo school: a lived-in collège for newcomers and for the browser tests.

Idempotent: running it again finds the same school, people and pupils, and resets
the demo passwords so that the printed logins always work.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from orga.demo_people import make_pupils
from orga.models import Division, Membership, Pupil, School

DEMO_UAI = "0751234J"
DEMO_SCHOOL_NAME = "Collège Victor-Hugo"
DEMO_DIVISIONS = ["3e A", "3e B", "4e A", "4e B"]
PUPILS_PER_DIVISION = 26

STAFF = [
    # role key in the printed logins (None: not printed), username, e-mail, first name, last name, membership role
    ("principal", "m.lefort", "principal@victor-hugo.demo.fr", "Martine", "Lefort", Membership.Role.ADMIN),
    ("coadmin", "p.nguyen", "pierre.nguyen@victor-hugo.demo.fr", "Pierre", "Nguyen", Membership.Role.ADMIN),
    ("teacher", "c.moreau", "claire.moreau@victor-hugo.demo.fr", "Claire", "Moreau", Membership.Role.MEMBER),
    (None, "a.benali", "amine.benali@victor-hugo.demo.fr", "Amine", "Benali", Membership.Role.MEMBER),
]
SUPERUSER = ("superuser", "admin", "admin@pixdeploy.demo.fr")
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
    for role, username, email, first, last, membership_role in STAFF:
        user = _user(username, email, first, last)
        Membership.objects.update_or_create(
            school=school, user=user, defaults={"role": membership_role, "is_active": True}
        )
        if role:
            logins[role] = username

    divisions = {name: Division.objects.get_or_create(school=school, name=name)[0] for name in DEMO_DIVISIONS}
    start_year = int(school.school_year[:4])
    existing = set(school.pupils.values_list("ine", flat=True))
    fake_pupils = make_pupils(DEMO_DIVISIONS, PUPILS_PER_DIVISION, start_year)
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                division=divisions[p.division],
                ine=p.ine,
                last_name=p.last_name,
                first_name=p.first_name,
                middle_name=p.middle_name,
                birthdate=p.birthdate,
                sex=p.sex,
                birth_country_code="100",
                mef_code=p.mef_code,
                status="ST",
            )
            for p in fake_pupils
            if p.ine not in existing
        ]
    )
    # One pupil gets an account now; the others get theirs from the school (credentials sheets).
    first = school.pupils.get(ine=fake_pupils[0].ine)
    pupil_username = "demo.eleve"
    first.user = _user(pupil_username, "", first.first_name, first.last_name)
    first.save(update_fields=["user"])
    logins["pupil"] = pupil_username
    return {
        "uai": school.uai,
        "school": school.name,
        "logins": {role: {"username": name, "password": DEMO_PASSWORD} for role, name in logins.items()},
    }
