import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from certif.models import Session
from orga.models import Division, Membership, Pupil, School, SiecleImport
from orga.schools.uai import is_valid_uai
from pixdeploy.models import AcademieReferent, AcademieReport


def run_seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_json_gives_uai_and_working_logins():
    data = json.loads(run_seed("--json"))
    assert is_valid_uai(data["uai"])
    invigilator = data["logins"].pop("invigilator")
    assert set(data["logins"]) == {"principal", "coadmin", "teacher", "pupil", "superuser", "referent"}
    for role, login in data["logins"].items():
        assert authenticate(username=login["username"], password=login["password"]) is not None, role
    # The invigilator's login opens the planned session's space.
    client = Client()
    response = client.post(
        reverse("certif:invigilator_sign_in"),
        {"number": invigilator["session_number"], "password": invigilator["password"]},
    )
    assert response.status_code == 302 and response.url == reverse("certif:invigilation")
    session = Session.objects.get(number=invigilator["session_number"])
    assert session.status == Session.Status.CREATED and session.candidates.count() == 6


@pytest.mark.django_db
def test_seed_demo_builds_a_lived_in_college():
    run_seed()
    school = School.objects.get()
    assert school.type == School.Type.COLLEGE
    assert school.memberships.filter(role=Membership.Role.ADMIN).count() == 2
    assert school.memberships.filter(role=Membership.Role.MEMBER).count() == 2
    divisions = list(Division.objects.filter(school=school).values_list("name", flat=True))
    assert len(divisions) == 4 and all(name[:2] in ("3e", "4e") for name in divisions)
    pupils = Pupil.objects.filter(school=school)
    assert pupils.count() == 102  # through a real import: 104 in the file, 2 who left are skipped
    siecle_import = SiecleImport.objects.get(school=school)
    assert siecle_import.status == SiecleImport.Status.DONE
    assert (siecle_import.report["created"], siecle_import.report["left"], siecle_import.report["skipped"]) == (
        102,
        2,
        0,
    )
    assert school.campaigns.count() == 3
    teacher = Membership.objects.get(school=school, user__username="c.moreau")
    assert sorted(teacher.divisions.values_list("name", flat=True)) == ["3e A", "3e B"]
    assert pupils.values("ine").distinct().count() == pupils.count()
    assert any(p.first_name != p.first_name.encode("ascii", "ignore").decode() for p in pupils)  # accents


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    first = run_seed("--json")
    counts = (
        School.objects.count(),
        Pupil.objects.count(),
        Membership.objects.count(),
        Division.objects.count(),
        SiecleImport.objects.count(),
    )
    second = run_seed("--json")
    assert first == second
    assert counts == (
        School.objects.count(),
        Pupil.objects.count(),
        Membership.objects.count(),
        Division.objects.count(),
        SiecleImport.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_gives_campaigns_with_every_status_and_results():
    from orga.models import Campaign, CompetenceResult, Participation

    run_seed()
    assert Campaign.objects.count() == 3
    statuses = set(Participation.objects.values_list("status", flat=True))
    assert statuses == {"started", "to_share", "shared"}
    shared = Participation.objects.filter(status="shared")
    assert shared.count() >= 30
    levels = set(CompetenceResult.objects.filter(participation__in=shared).values_list("level", flat=True))
    assert len(levels) >= 4  # a spread of levels, not one value
    assert not CompetenceResult.objects.filter(participation__status="started").exists()


@pytest.mark.django_db
def test_seed_demo_plans_a_certification_session_with_candidates(monkeypatch):
    import datetime

    from django.utils import timezone

    from certif.models import Candidate, Session

    # A school year whose window the migrations know, whenever the suite runs.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 12, 4))
    run_seed()
    run_seed()  # idempotent: one planned session, its candidates enrolled once
    session = Session.objects.get(status=Session.Status.CREATED)
    assert session.status == Session.Status.CREATED and session.window_warning() == ""
    assert session.candidates.count() == 6
    assert Candidate.objects.filter(extra_time_percentage=33).count() == 1
    assert {i.user_id is None for i in session.invigilators.all()} == {True, False}


@pytest.mark.django_db
def test_seed_demo_has_a_planned_session_and_a_published_one_the_demo_pupil_sees():
    data = json.loads(run_seed("--json"))
    planned = Session.objects.get(number=data["logins"]["invigilator"]["session_number"])
    assert planned.status == Session.Status.CREATED
    published = Session.objects.get(status=Session.Status.PROCESSED)
    assert published.published_at is not None and published.date < planned.date
    results = {
        c.pupil.user.username if c.pupil.user_id else c.id: getattr(c, "result", None)
        for c in published.candidates.select_related("pupil__user")
    }
    statuses = sorted(r.status for r in results.values() if r)
    assert statuses.count("validated") == 6 and statuses.count("rejected") == 1 and len(results) == 8
    pupil = data["logins"]["pupil"]
    client = Client()
    client.login(username=pupil["username"], password=pupil["password"])
    page = client.get(reverse("certif:my_results")).content.decode()
    mine = results[pupil["username"]]
    assert mine.status == "validated" and mine.level_label in page and str(mine.pix_score) in page
    codes = [r.verification_code for r in results.values() if r and r.status == "validated"]
    assert len(codes) == 6 and all(code and code.startswith("P-") for code in codes)  # each validated one has a code
    assert mine.verification_code in page
    run_seed()
    assert Session.objects.filter(status=Session.Status.PROCESSED).count() == 1  # idempotent


@pytest.mark.django_db
def test_seed_demo_gives_an_academie_referent_a_filled_table():
    data = json.loads(run_seed("--json"))
    run_seed("--json")  # run again: still one referent role and one table
    login = data["logins"]["referent"]
    client = Client()
    assert client.login(username=login["username"], password=login["password"])
    assert client.get(reverse("home")).url == reverse("academie")
    page = client.get(reverse("academie")).content.decode()
    assert "Collège Victor-Hugo" in page and "État au " in page
    assert AcademieReferent.objects.count() == 1 and AcademieReport.objects.count() == 1
