import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crcn.models import Competence
from orga.campaigns.services import create_campaign
from orga.classes.follow_up import classes_overview, division_progress, pupil_profiles, school_year_bounds
from orga.models import ClassObjective, CompetenceResult, Division, Membership, Participation, Pupil
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory

FIVE = ["1.1", "1.2", "1.3", "2.1", "2.2"]
SHARED, STARTED, TO_SHARE = Participation.Status.SHARED, Participation.Status.STARTED, Participation.Status.TO_SHARE


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def make_campaign(school, owner, name="Parcours de rentrée", codes=FIVE, divisions=()):
    return create_campaign(
        school=school, owner=owner, name=name, type="assessment", competence_codes=codes, divisions=divisions
    )


def participate(campaign, pupil, status=SHARED, levels=None, shared_at=None, is_improved=False):
    """A participation with results {code: level}, made directly (no test taken)."""
    participation = Participation.objects.create(
        campaign=campaign,
        pupil=pupil,
        status=status,
        is_improved=is_improved,
        shared_at=shared_at or (timezone.now() if status == SHARED else None),
    )
    levels = levels or {}
    competences = {c.code: c for c in Competence.objects.filter(code__in=levels)}
    CompetenceResult.objects.bulk_create(
        CompetenceResult(participation=participation, competence=competences[code], level=level, pix=8 * level)
        for code, level in levels.items()
    )
    return participation


def follow(user, school, *divisions):
    Membership.objects.get(user=user, school=school).divisions.add(*divisions)


def page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The objective, on hand-made data ----------------------------------------------------------------


@pytest.mark.django_db
def test_objective_counts_latest_shared_results_of_the_year(school, teacher):
    division = DivisionFactory(school=school, name="5e A")
    first = make_campaign(school, teacher, "Rentrée", divisions=[division])
    second = make_campaign(school, teacher, "Deuxième trimestre", codes=["1.1", "3.1"])
    pupil = {name: PupilFactory(school=school, division=division, last_name=name) for name in "ABCDEFG"}
    now = timezone.now()
    # A: level 1 in 5 competences → reached. B: in 4 only → not.
    participate(first, pupil["A"], levels=dict.fromkeys(FIVE, 1))
    participate(first, pupil["B"], levels={**dict.fromkeys(FIVE[:4], 1), "2.2": 0})
    # C: 5 at level 2, then a later sending at level 0 in 1.1 replaces it → 4 → not reached.
    participate(first, pupil["C"], levels=dict.fromkeys(FIVE, 2), shared_at=now - timedelta(days=2))
    participate(second, pupil["C"], levels={"1.1": 0, "3.1": 0}, shared_at=now - timedelta(days=1))
    # D: 4 at level 1, then 1.1 raised from 0 to 1 in a later campaign → reached (3.1 stays at 0).
    participate(first, pupil["D"], levels={**dict.fromkeys(FIVE, 1), "1.1": 0}, shared_at=now - timedelta(days=2))
    participate(second, pupil["D"], levels={"1.1": 1, "3.1": 0}, shared_at=now - timedelta(days=1))
    # E: results computed but not sent (started, then to share) → not counted.
    participate(first, pupil["E"], status=STARTED, levels=dict.fromkeys(FIVE, 3))
    participate(second, pupil["E"], status=TO_SHARE, levels={"1.1": 3, "3.1": 3})
    # F: an earlier sending replaced by a re-participation still counts until the new one is sent.
    participate(first, pupil["F"], levels=dict.fromkeys(FIVE, 1), is_improved=True)
    participate(first, pupil["F"], status=STARTED)
    # G: sent last school year → not counted this year.
    start, _ = school_year_bounds()
    participate(first, pupil["G"], levels=dict.fromkeys(FIVE, 4), shared_at=start - timedelta(days=30))
    Participation.objects.filter(pupil=pupil["G"]).update(created_at=start - timedelta(days=40))

    profiles = pupil_profiles(Pupil.objects.filter(division=division), school)
    assert profiles[pupil["C"].id] == {**dict.fromkeys(FIVE, 2), "1.1": 0, "3.1": 0}
    assert profiles[pupil["D"].id]["1.1"] == 1
    assert pupil["E"].id not in profiles and pupil["G"].id not in profiles

    progress = division_progress(division, school)
    reached = {row.pupil.last_name: (row.reached, row.reached_objective) for row in progress.rows}
    assert reached == {
        "A": (5, True),
        "B": (4, False),
        "C": (4, False),
        "D": (5, True),
        "E": (0, False),
        "F": (5, True),
        "G": (0, False),
    }
    [summary] = classes_overview(Division.objects.filter(id=division.id), school)
    assert (summary.active_pupils, summary.participants, summary.reached, summary.percent) == (7, 6, 3, 43)

    # Level 2 in 4 competences: only C had it, and lost it in 1.1.
    ClassObjective.objects.create(division=division, competences_target=4, level_target=2)
    division = Division.objects.select_related("objective").get(id=division.id)
    progress = division_progress(division, school)
    assert [row.pupil.last_name for row in progress.rows if row.reached_objective] == ["C"]
    assert progress.reached == 1


@pytest.mark.django_db
def test_other_schools_results_and_inactive_pupils_do_not_count(school, teacher, other_school, other_school_admin):
    division = DivisionFactory(school=school)
    left = PupilFactory(school=school, division=division, is_active=False)
    participate(make_campaign(school, teacher), left, levels=dict.fromkeys(FIVE, 1))
    stranger = PupilFactory(school=school, division=division)
    participate(make_campaign(other_school, other_school_admin), stranger, levels=dict.fromkeys(FIVE, 1))
    [summary] = classes_overview(Division.objects.filter(id=division.id), school)
    assert (summary.active_pupils, summary.reached) == (1, 0)


# --- Choosing and listing my classes ---------------------------------------------------------------


@pytest.mark.django_db
def test_teacher_chooses_the_classes_they_follow(client_for, school, teacher, other_school):
    a, b, c = (DivisionFactory(school=school, name=name) for name in ("4e A", "4e B", "4e C"))
    foreign = DivisionFactory(school=other_school, name="4e Z")
    client = client_for(teacher)
    html = page(client.get(url("my_classes", school)))
    assert "Vous ne suivez encore aucune classe" in html and "4e A" not in html
    html = page(client.get(url("choose_classes", school)))
    assert "4e A" in html and "4e C" in html and "4e Z" not in html
    response = client.post(url("choose_classes", school), {"divisions": [a.id, c.id]})
    assert response.status_code == 302 and response.url == url("my_classes", school)
    membership = Membership.objects.get(user=teacher, school=school)
    assert set(membership.divisions.all()) == {a, c}
    html = page(client.get(url("my_classes", school)))
    assert "4e A" in html and "4e C" in html and "4e B" not in html
    checked = re.findall(
        r'<input type="checkbox" name="divisions" value="(\d+)"[^>]* checked',
        page(client.get(url("choose_classes", school))),
    )
    assert sorted(map(int, checked)) == sorted([a.id, c.id])
    # Another school's class is refused; unchecking everything follows none.
    response = client.post(url("choose_classes", school), {"divisions": [foreign.id]})
    assert (
        response.status_code == 200
        and "Choisissez parmi les classes de l&#x27;établissement." in response.content.decode()
    )
    assert set(membership.divisions.all()) == {a, c}
    client.post(url("choose_classes", school), {})
    assert not membership.divisions.exists()
    assert b.teachers.count() == 0


@pytest.mark.django_db
def test_admin_sees_every_class_with_objective_and_progress(client_for, school, school_admin, teacher):
    a = DivisionFactory(school=school, name="3e A")
    DivisionFactory(school=school, name="3e B")
    pupils = PupilFactory.create_batch(4, school=school, division=a)
    campaign = make_campaign(school, teacher, divisions=[a])
    participate(campaign, pupils[0], levels=dict.fromkeys(FIVE, 1))
    participate(campaign, pupils[1], status=STARTED)
    ClassObjective.objects.create(division=a, competences_target=3, level_target=1, updated_by=teacher)
    html = page(client_for(school_admin).get(url("my_classes", school)))
    assert "3e A" in html and "3e B" in html
    assert "3 compétences au niveau 1" in html and "5 compétences au niveau 1" in html and "(par défaut)" in html
    assert '<progress class="import-progress" max="100" value="25"' in html
    assert "1 élève sur 4 (25 %)" in html
    assert "<td>4</td>" in html and "<td>2</td>" in html  # active pupils, pupils who took part


@pytest.mark.django_db
def test_my_classes_query_count_is_fixed(client_for, school, teacher):
    client = client_for(teacher)
    owner_campaign = make_campaign(school, teacher)
    first = DivisionFactory(school=school, name="6e A")
    follow(teacher, school, first)
    participate(owner_campaign, PupilFactory(school=school, division=first), levels={"1.1": 1})
    with CaptureQueriesContext(connection) as few:
        page(client.get(url("my_classes", school)))
    for n in range(6):
        division = DivisionFactory(school=school, name=f"5e {n}")
        follow(teacher, school, division)
        ClassObjective.objects.create(division=division, competences_target=2)
        for pupil in PupilFactory.create_batch(5, school=school, division=division):
            participate(owner_campaign, pupil, levels={"1.1": 1, "1.2": 2})
    with CaptureQueriesContext(connection) as many:
        html = page(client.get(url("my_classes", school)))
    assert "5e 5" in html and "5 élèves sur 5 (100 %)" in html
    assert len(many) == len(few)


# --- A class's progress ----------------------------------------------------------------------------------


@pytest.fixture
def class_with_campaigns(school, teacher):
    """4e B followed by the teacher, with three campaigns and pupils in every status."""
    division = DivisionFactory(school=school, name="4e B")
    follow(teacher, school, division)
    other = DivisionFactory(school=school, name="4e C")
    names = ["ARNAUD", "BERGER", "CARON", "DUBOIS", "ÉTIENNE"]
    pupils = {
        name: PupilFactory(school=school, division=division, last_name=name, first_name="Élève") for name in names
    }
    PupilFactory(school=school, division=division, last_name="PARTI", is_active=False)
    PupilFactory(school=school, division=other, last_name="VOISIN")
    rentree = make_campaign(school, teacher, "Rentrée 4e", divisions=[division])
    options = make_campaign(school, teacher, "Option 4e C", divisions=[other])
    make_campaign(school, teacher, "Pour la 4e C seulement", divisions=[other])  # nobody from 4e B: not shown
    participate(rentree, pupils["BERGER"], status=STARTED)
    participate(rentree, pupils["CARON"], status=TO_SHARE)
    participate(rentree, pupils["DUBOIS"], levels=dict.fromkeys(FIVE, 1))
    participate(options, pupils["DUBOIS"], status=STARTED)
    return division, pupils, rentree, options


@pytest.mark.django_db
def test_class_progress_statuses_and_filters(client_for, school, teacher, class_with_campaigns):
    division, pupils, rentree, options = class_with_campaigns
    client = client_for(teacher)
    html = page(client.get(url("class_progress", school, division_id=division.id)))
    assert "Rentrée 4e" in html and rentree.code in html and "Option 4e C" in html
    assert "Pour la 4e C seulement" not in html and "PARTI" not in html and "VOISIN" not in html
    for label in ("Pas commencé", "En cours", "En attente d&#x27;envoi", "Résultats reçus", "Non concerné"):
        assert label in html, label
    assert "Objectif atteint" in html and '5 <span class="fr-text--xs">(objectif : 5)</span>' in html
    assert "Objectif atteint par 1 élève sur 5 (20 %)" in html
    assert url("class_reminder", school, division_id=division.id) in html

    progress = division_progress(division, school)
    statuses = {row.pupil.last_name: [cell.status for cell in row.cells] for row in progress.rows}
    assert statuses == {
        "ARNAUD": ["not_started", None],
        "BERGER": ["started", None],
        "CARON": ["to_share", None],
        "DUBOIS": ["shared", "started"],
        "ÉTIENNE": ["not_started", None],
    }

    def names(**params):
        fragment = page(
            client.get(url("class_progress", school, division_id=division.id), params, headers={"HX-Request": "true"})
        )
        assert "<html" not in fragment
        return [name for name in pupils if f"<td>{name}</td>" in fragment]

    assert names(filtre="pas-commence") == ["ARNAUD", "ÉTIENNE"]
    assert names(filtre="pas-termine") == ["BERGER", "CARON", "DUBOIS"]
    assert names(filtre="pas-termine", campagne=rentree.id) == ["BERGER", "CARON"]
    assert names(filtre="pas-termine", campagne=options.id) == ["DUBOIS"]
    assert names(filtre="inconnu") == list(pupils)


@pytest.mark.django_db
def test_class_progress_query_count_is_fixed(client_for, school, teacher, class_with_campaigns):
    division, _, rentree, _ = class_with_campaigns
    client = client_for(teacher)
    with CaptureQueriesContext(connection) as few:
        page(client.get(url("class_progress", school, division_id=division.id)))
    for n in range(3):
        campaign = make_campaign(school, teacher, f"Campagne {n}", divisions=[division])
        for pupil in PupilFactory.create_batch(6, school=school, division=division):
            participate(campaign, pupil, levels={"1.1": 2})
            participate(rentree, pupil, status=STARTED)
    with CaptureQueriesContext(connection) as many:
        html = page(client.get(url("class_progress", school, division_id=division.id)))
    assert "Campagne 2" in html
    assert len(many) == len(few)


@pytest.mark.django_db
def test_reminder_sheet_lists_pupils_to_remind_per_open_campaign(
    client_for, school, teacher, class_with_campaigns, overflows
):
    from pypdf import PdfReader

    division, pupils, rentree, options = class_with_campaigns
    archived = make_campaign(school, teacher, "Ancienne campagne", divisions=[division])
    archived.archived_at = timezone.now()
    archived.save()
    response = client_for(teacher).get(url("class_reminder", school, division_id=division.id))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Liste de relance" in text and "4e B" in text
    assert rentree.code in text and options.code in text and archived.code not in text
    rentree_part, options_part = text.split(options.code)
    for name in ("ARNAUD", "ÉTIENNE", "BERGER", "CARON"):
        assert name in rentree_part, name
    assert "DUBOIS" not in rentree_part  # results received
    assert "DUBOIS" in options_part and "ARNAUD" not in options_part  # only DUBOIS of 4e B took it
    assert "Pas commencé" in text and "En attente d'envoi" in text
    assert "VOISIN" not in text and "PARTI" not in text
    assert overflows() == []  # nothing cut at the right edge of the page


# --- The objective form ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_the_objective_and_french_errors(client_for, school, teacher, school_admin):
    division = DivisionFactory(school=school, name="3e D")
    follow(teacher, school, division)
    target = url("class_objective", school, division_id=division.id)
    response = client_for(teacher).post(target, {"competences_target": 8, "level_target": 2})
    assert response.status_code == 302 and response.url == url("class_progress", school, division_id=division.id)
    objective = ClassObjective.objects.get(division=division)
    assert (objective.competences_target, objective.level_target, objective.updated_by) == (8, 2, teacher)

    for data, message in [
        ({"competences_target": 0, "level_target": 1}, "Indiquez un nombre de compétences entre 1 et 16."),
        ({"competences_target": 17, "level_target": 1}, "Indiquez un nombre de compétences entre 1 et 16."),
        ({"competences_target": "", "level_target": 1}, "Indiquez un nombre de compétences entre 1 et 16."),
        ({"competences_target": 5, "level_target": 6}, "Indiquez un niveau entre 1 et 5."),
        ({"competences_target": 5, "level_target": "deux"}, "Indiquez un niveau entre 1 et 5."),
    ]:
        response = client_for(school_admin).post(target, data)
        assert response.status_code == 400 and message in response.content.decode(), data
        # The objective shown beside the errors is still the saved one.
        assert "8 compétences au niveau 2 ou plus" in response.content.decode()
    objective.refresh_from_db()
    assert (objective.competences_target, objective.level_target) == (8, 2)

    client_for(school_admin).post(target, {"competences_target": 16, "level_target": 5})
    objective.refresh_from_db()
    assert (objective.competences_target, objective.level_target, objective.updated_by) == (16, 5, school_admin)
    assert client_for(teacher).get(target).status_code == 405


# --- Permissions ------------------------------------------------------------------------------------------

USERS = ["school_admin", "superuser", "teacher", "pupil", "other_school_admin", "anonymous"]
EXPECTED = {"school_admin": 200, "superuser": 200, "teacher": 200, "pupil": 403, "other_school_admin": 404}


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_class_pages_permissions(client_for, request, school, teacher, who):
    division = DivisionFactory(school=school)
    follow(teacher, school, division)
    client = client_for(None if who == "anonymous" else request.getfixturevalue(who))
    pages = [
        ("my_classes", {}),
        ("choose_classes", {}),
        ("class_progress", {"division_id": division.id}),
        ("class_reminder", {"division_id": division.id}),
    ]
    for name, kwargs in pages:
        response = client.get(url(name, school, **kwargs))
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(f"{reverse('account_login')}?next="), name
        elif who == "superuser" and name == "choose_classes":
            assert response.status_code == 302 and response.url == url("my_classes", school)
        else:
            assert response.status_code == EXPECTED[who], name
    response = client.post(
        url("class_objective", school, division_id=division.id), {"competences_target": 6, "level_target": 1}
    )
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == {**EXPECTED, "school_admin": 302, "superuser": 302, "teacher": 302}[who]
    assert ClassObjective.objects.filter(division=division).exists() == (
        who in ("school_admin", "superuser", "teacher")
    )


@pytest.mark.django_db
def test_a_class_not_followed_is_refused_to_a_teacher(client_for, school, teacher):
    division = DivisionFactory(school=school)
    client = client_for(teacher)
    for name in ("class_progress", "class_reminder"):
        assert client.get(url(name, school, division_id=division.id)).status_code == 403
    target = url("class_objective", school, division_id=division.id)
    assert client.post(target, {"competences_target": 6, "level_target": 1}).status_code == 403
    assert not ClassObjective.objects.exists()
    # Another teacher following it does not open it to this one.
    MembershipFactory(school=school).divisions.add(division)
    assert client.get(url("class_progress", school, division_id=division.id)).status_code == 403


@pytest.mark.django_db
def test_a_class_of_another_school_is_404(client_for, school, teacher, other_school):
    foreign = DivisionFactory(school=other_school)
    client = client_for(teacher)
    for name in ("class_progress", "class_reminder"):
        assert client.get(url(name, school, division_id=foreign.id)).status_code == 404
    assert client.post(url("class_objective", school, division_id=foreign.id), {}).status_code == 404
