"""Scoring a finalised session, reviewing and publishing its results, the CSV files, the per-class table and
the pupil's page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certif.course.models import CertificationCourse, CertificationQuestion
from certif.finalisation.models import IssueReport
from certif.results import csv_format, scoring, services
from certif.results.models import CertificationResult
from crcn.models import Challenge
from documents.filenames import content_disposition
from orga.models import Membership
from tests.factories import DivisionFactory, PupilFactory, UserFactory

from .helpers import enrol_pupil, make_session, url

HOSTILE = "<script>alert('x')</script>"
pytestmark = pytest.mark.usefixtures("on_4_december_2026")


def _challenges():
    """32 challenges of the bank, two skills a competence, taken competence after competence."""
    by_competence = {}
    for challenge in (
        Challenge.objects.active().select_related("skill__tube__competence").order_by("skill__level", "id")
    ):
        skills = by_competence.setdefault(challenge.skill.tube.competence.code, {})
        if len(skills) < 2 and challenge.skill_id not in skills:
            skills[challenge.skill_id] = challenge
    pairs = [list(skills.values()) for _code, skills in sorted(by_competence.items())]
    return [pair[0] for pair in pairs] + [pair[1] for pair in pairs]


def enrol(session, last_name="MARTIN", first_name="Léa", division_name="3e A", *, user=None):
    division = DivisionFactory(school=session.school, name=division_name)
    return enrol_pupil(session, last_name, first_name, division, user=user, birth_city="Lyon")


def sit(candidate, results, *, neutralised=()):
    """The candidate's test with one answered question per item of `results` ("ok", "ko" or "skipped")."""
    now = timezone.now()
    course = CertificationCourse.objects.create(
        candidate=candidate, deadline=now, ended_at=now, end_reason="completed", seed="graine"
    )
    for number, (challenge, result) in enumerate(zip(_challenges(), results, strict=False), start=1):
        CertificationQuestion.objects.create(
            course=course,
            number=number,
            challenge=challenge,
            result=result,
            answered_at=now,
            neutralised=number in neutralised,
        )
    return course


@pytest.fixture
def session(school):
    session = make_session(school)
    session.status = "finalized"
    session.finalised_at = timezone.now()
    session.save()
    return session


def _result(candidate):
    return CertificationResult.objects.get(candidate=candidate)


# --- Scoring -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_whole_test_is_validated_with_a_level_per_competence_and_scoring_twice_changes_nothing(session):
    candidate = enrol(session)
    sit(candidate, ["ok", "ko"] * 16)
    assert scoring.score_session(session.id) == 1
    result = _result(candidate)
    assert result.status == "validated" and result.answered == 32
    assert result.pix_score > 0 and result.level_label == csv_format_band(result)
    assert sorted(result.competence_levels) == sorted(csv_format.COMPETENCE_CODES)
    session.refresh_from_db()
    assert session.status == "in_process"
    result.comment_for_organisation = "Relu."
    result.save()
    first = CertificationResult.objects.values("id", "status", "pix_score", "level", "competence_levels").get()
    assert scoring.score_session(session.id) == 1
    assert CertificationResult.objects.values("id", "status", "pix_score", "level", "competence_levels").get() == first
    assert _result(candidate).comment_for_organisation == "Relu."


def csv_format_band(result):
    from crcn.scoring import certification_level

    return certification_level(result.pix_score)[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("abort_reason", "status"), [("candidate", "rejected"), ("", "rejected"), ("technical", "cancelled")]
)
def test_fewer_than_20_answers_are_rejected_for_the_candidate_and_cancelled_for_a_technical_reason(
    session, abort_reason, status
):
    candidate = enrol(session)
    candidate.abort_reason = abort_reason
    candidate.save()
    sit(candidate, ["ok"] * 19)
    scoring.score_session(session.id)
    result = _result(candidate)
    assert result.status == status and result.answered == 19 and result.pix_score == 0
    assert result.competence_levels == {}


@pytest.mark.django_db
def test_absent_candidates_get_no_result(session):
    enrol(session, "ABSENT", "Noé")
    scoring.score_session(session.id)
    assert not CertificationResult.objects.exists()


@pytest.mark.django_db
def test_neutralised_questions_and_questions_pix_neutralises_on_a_report_do_not_count(session):
    neutralised = enrol(session, "UN", "A")
    sit(neutralised, ["ok"] * 20 + ["ko"], neutralised={3})
    reported = enrol(session, "DEUX", "B")
    sit(reported, ["ko"] * 20)
    IssueReport.objects.create(candidate=reported, category="IN_CHALLENGE", subcategory="E11", question_number=4)
    IssueReport.objects.create(candidate=reported, category="IN_CHALLENGE", subcategory="E8", question_number=5)
    right = enrol(session, "TROIS", "C")
    sit(right, ["ok"] * 20)  # a right answer is kept, whatever the report
    IssueReport.objects.create(candidate=right, category="IN_CHALLENGE", subcategory="E12", question_number=1)
    scoring.score_session(session.id)
    assert _result(neutralised).answered == 20
    assert _result(reported).answered == 19 and _result(reported).status == "rejected"  # E8 kept: not timed
    assert _result(right).answered == 20 and _result(right).status == "validated"


@pytest.mark.django_db
def test_image_and_file_reports_neutralise_only_questions_with_an_image_or_a_file(session):
    candidate = enrol(session)
    course = sit(candidate, ["ko"] * 21)
    first, second = course.questions.order_by("number")[:2]
    Challenge.objects.filter(id=first.challenge_id).update(illustration="image.png", attachment="")
    Challenge.objects.filter(id=second.challenge_id).update(illustration="", attachment="")
    for number, problem in ((1, "E1"), (2, "E1"), (2, "E3")):
        IssueReport.objects.create(
            candidate=candidate, category="IN_CHALLENGE", subcategory=problem, question_number=number
        )
    scoring.score_session(session.id)
    assert _result(candidate).answered == 20


@pytest.mark.django_db
def test_a_suspected_fraud_keeps_the_result_with_a_comment_for_the_school(session):
    candidate = enrol(session)
    sit(candidate, ["ok"] * 32)
    IssueReport.objects.create(candidate=candidate, category="C6", description="Téléphone")
    scoring.score_session(session.id)
    result = _result(candidate)
    assert result.status == "validated" and result.comment_for_organisation == scoring.FRAUD_COMMENT


@pytest.mark.django_db
def test_an_open_or_published_session_is_not_scored(school, session):
    with pytest.raises(scoring.ResultsRefused):
        scoring.score_session(make_session(school, room="B").id)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    with pytest.raises(scoring.ResultsRefused):
        scoring.score_session(session.id)


# --- The session's results page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_page_roles(client_for, school, session, school_admin, teacher, other_school_admin):
    page = url("session_results", school, session_id=session.id)
    assert client_for(None).get(page).status_code == 302
    assert client_for(teacher).get(page).status_code == 403
    assert client_for(other_school_admin).get(page).status_code == 404
    html = client_for(school_admin).get(page).content.decode()
    assert "Calculer les résultats" in html
    compute = url("session_results_compute", school, session_id=session.id)
    assert client_for(teacher).post(compute).status_code == 403
    assert client_for(other_school_admin).post(compute).status_code == 404
    assert client_for(school_admin).get(compute).status_code == 405  # never computed on a GET
    session.refresh_from_db()
    assert session.status == "finalized"


@pytest.mark.django_db
def test_an_open_session_has_no_results_page(client_for, school, school_admin):
    open_session = make_session(school, room="B")
    assert client_for(school_admin).get(url("session_results", school, session_id=open_session.id)).status_code == 403


@pytest.mark.django_db
def test_compute_comment_and_publish(client_for, school, session, school_admin):
    user = UserFactory(username="lea.eleve")
    candidate = enrol(session, HOSTILE, "Léa", user=user)
    sit(candidate, ["ok"] * 32)
    enrol(session, "ABSENT", "Noé")
    client = client_for(school_admin)
    page = url("session_results", school, session_id=session.id)
    response = client.post(url("session_results_compute", school, session_id=session.id), follow=True)
    html = response.content.decode()
    assert "Résultats calculés pour 1 candidat." in html and "Validée" in html and "Absent" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "Publier les résultats" in html

    result = _result(candidate)
    comment = url("result_comment", school, result_id=result.id)
    response = client.post(comment, {"comment_for_organisation": "x" * 501})
    assert response.status_code == 400
    assert (
        "Commentaire pour l&#x27;établissement : 500 caractères au plus (il en compte 501)."
        in response.content.decode()
    )
    assert _result(candidate).comment_for_organisation == ""
    client.post(comment, {"comment_for_organisation": f"  {HOSTILE}  "})
    assert _result(candidate).comment_for_organisation == HOSTILE
    assert HOSTILE not in client.get(page).content.decode()

    publish = url("session_results_publish", school, session_id=session.id)
    assert "seront publiés" in client.get(publish).content.decode()
    assert client_for(user).get(reverse("certif:my_results")).content.decode().count("pas encore publiés") == 1
    client = client_for(school_admin)
    client.post(publish)
    session.refresh_from_db()
    assert session.status == "processed" and session.published_at is not None
    html = client.get(page).content.decode()
    assert "Résultats publiés le" in html and 'name="comment_for_organisation"' not in html
    assert client.post(comment, {"comment_for_organisation": "Trop tard"}).status_code == 403
    assert client.post(url("session_results_compute", school, session_id=session.id)).status_code == 403
    assert client.post(publish).status_code == 403
    assert _result(candidate).comment_for_organisation == HOSTILE


@pytest.mark.django_db
def test_comment_and_publish_roles(client_for, school, session, teacher, other_school_admin):
    sit(enrol(session), ["ok"] * 32)
    scoring.score_session(session.id)
    comment = url("result_comment", school, result_id=CertificationResult.objects.get().id)
    publish = url("session_results_publish", school, session_id=session.id)
    for target in (comment, publish):
        assert client_for(teacher).post(target, {"comment_for_organisation": "x"}).status_code == 403
        assert client_for(other_school_admin).post(target, {"comment_for_organisation": "x"}).status_code == 404
    session.refresh_from_db()
    assert session.status == "in_process" and CertificationResult.objects.get().comment_for_organisation == ""


@pytest.mark.django_db
def test_the_session_page_links_the_results_once_finalised(client_for, school, session, school_admin):
    detail = url("session_detail", school, session_id=session.id)
    results = url("session_results", school, session_id=session.id)
    assert results in client_for(school_admin).get(detail).content.decode()
    open_session = make_session(school, room="B")
    html = client_for(school_admin).get(url("session_detail", school, session_id=open_session.id)).content.decode()
    assert url("session_results", school, session_id=open_session.id) not in html


# --- CSV files --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_and_class_csv_are_csv_format_output(client_for, school, session, school_admin, teacher):
    first = enrol(session, "ZOLA", "Émile", "3e A")
    sit(first, ["ok", "ko"] * 16)
    second = enrol(session, "=HYPERLINK(1)", "Inès", "3e B")
    sit(second, ["ok"] * 10)
    enrol(session, "ABSENT", "Noé", "3e C")
    scoring.score_session(session.id)
    client = client_for(school_admin)

    response = client.get(url("session_results_csv", school, session_id=session.id))
    name, text = services.session_csv(session)
    assert (
        name
        == csv_format.session_results_filename(session.number, session.starts_at)
        == "20270408_0900_resultats_session_" + str(session.number) + ".csv"
    )
    assert response["Content-Disposition"] == content_disposition(name)
    assert response.content == text.encode("utf-8")
    lines = text.split("\n")
    assert len(lines) == 3 and '"Non obtenue"' in lines[1] and "'=HYPERLINK(1)" in lines[1]
    assert lines[2].startswith(f"{first.course.id};") and '"Validée"' in lines[2]

    html = client.get(url("session_results", school, session_id=session.id)).content.decode()
    assert "classe.csv?classe=3e%20A" in html and "classe=3e%20C" not in html
    csv_url = url("division_results_csv", school, session_id=session.id)
    response = client.get(csv_url, {"classe": "3e A"})
    name, text = services.division_csv(session, "3e A")
    assert name == "20261204_resultats_3e A.csv"
    assert response["Content-Disposition"] == content_disposition(name) and response.content == text.encode("utf-8")
    assert "ZOLA" in text and "HYPERLINK" not in text and csv_format.CENTRE_HEADER not in text
    assert client.get(csv_url, {"classe": "3e C"}).status_code == 404
    assert client_for(teacher).get(csv_url, {"classe": "3e A"}).status_code == 403


@pytest.mark.django_db
def test_csv_roles_and_unscored_session(client_for, school, session, school_admin, teacher, other_school_admin):
    csv_url = url("session_results_csv", school, session_id=session.id)
    assert client_for(school_admin).get(csv_url).status_code == 404  # not scored yet
    scoring.score_session(session.id)
    assert client_for(school_admin).get(csv_url).status_code == 200
    assert client_for(teacher).get(csv_url).status_code == 403
    assert client_for(other_school_admin).get(csv_url).status_code == 404


# --- The pupil's page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pupil_sees_their_result_once_published_and_no_one_elses(client_for, school, session, pupil):
    candidate = enrol(session, "MARTIN", "Léa")
    candidate.pupil = pupil.pupil
    candidate.save()
    sit(candidate, ["ok", "ko"] * 16)
    scoring.score_session(session.id)
    page = reverse("certif:my_results")
    result = _result(candidate)
    html = client_for(pupil).get(page).content.decode()
    assert "Vos résultats ne sont pas encore publiés" in html and f"{result.pix_score} pix" not in html
    scoring.publish_session(session.id)
    html = client_for(pupil).get(page).content.decode()
    assert "pas encore publiés" not in html and f"{result.pix_score} pix" in html and result.level_label in html
    assert "1.1 Mener une recherche" in html
    assert html.count("<tr>") == 1 + 16  # the header and the 16 competences

    other = UserFactory(username="autre.eleve")
    PupilFactory(school=school, user=other)
    html = client_for(other).get(page).content.decode()
    assert "Vous n'êtes inscrit à aucune session" in html and f"{result.pix_score} pix" not in html


@pytest.mark.django_db
def test_my_results_is_for_pupils(client_for, teacher, pupil):
    assert client_for(None).get(reverse("certif:my_results")).status_code == 302
    assert client_for(teacher).get(reverse("certif:my_results")).status_code == 403
    assert reverse("certif:my_results") in client_for(pupil).get(reverse("home")).content.decode()


# --- Published results by class ---------------------------------------------------------------------------


def _published(session, people):
    for last_name, division_name in people:
        sit(enrol(session, last_name, "Prénom", division_name), ["ok", "ko"] * 16)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)


@pytest.mark.django_db
def test_results_by_class_for_the_admin_and_the_teacher(
    client_for, school, session, school_admin, teacher, other_school_admin
):
    _published(session, [("ZOLA", "3e A"), (HOSTILE, "3e B")])
    unpublished = make_session(school, room="B")
    unpublished.status = "finalized"
    unpublished.save()
    sit(enrol(unpublished, "CACHE", "Pas", "3e A"), ["ok"] * 32)
    scoring.score_session(unpublished.id)
    page = url("results_by_class", school)

    html = client_for(school_admin).get(page).content.decode()
    assert "ZOLA" in html and "&lt;script&gt;" in html and HOSTILE not in html and "CACHE" not in html
    assert "2 certifications validées sur 2" in html
    html = client_for(school_admin).get(page, {"classe": "3e A"}).content.decode()
    assert "ZOLA" in html and "&lt;script&gt;" not in html
    assert client_for(school_admin).get(page, {"classe": "6e Z"}).status_code == 404

    membership = Membership.objects.get(user=teacher, school=school)
    html = client_for(teacher).get(page).content.decode()
    assert "ZOLA" not in html and "Aucun résultat de certification publié" in html
    membership.divisions.add(DivisionFactory(school=school, name="3e A"))
    html = client_for(teacher).get(page).content.decode()
    assert "ZOLA" in html and "&lt;script&gt;" not in html
    assert client_for(teacher).get(page, {"classe": "3e B"}).status_code == 404
    assert client_for(other_school_admin).get(page).status_code == 404
    assert client_for(None).get(page).status_code == 302


@pytest.mark.django_db
def test_results_by_class_query_count_does_not_grow(client_for, school, session, school_admin):
    _published(session, [("UN", "3e A")])
    client = client_for(school_admin)
    page = url("results_by_class", school)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    other = make_session(school, room="B")
    other.status = "finalized"
    other.save()
    _published(other, [("DEUX", "3e A"), ("TROIS", "3e B"), ("QUATRE", "3e C")])
    with CaptureQueriesContext(connection) as after:
        html = client.get(page).content.decode()
    assert "QUATRE" in html and len(after) == len(before)


@pytest.mark.django_db
def test_session_results_page_query_count_does_not_grow(client_for, school, session, school_admin):
    sit(enrol(session, "UN", "A", "3e A"), ["ok"] * 32)
    scoring.score_session(session.id)
    client = client_for(school_admin)
    page = url("session_results", school, session_id=session.id)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    for name, division in (("DEUX", "3e B"), ("TROIS", "3e C"), ("QUATRE", "3e A")):
        candidate = enrol(session, name, "B", division)
        sit(candidate, ["ok"] * 32)
        IssueReport.objects.create(candidate=candidate, category="C6")
    enrol(session, "ABSENT", "C", "3e D")
    scoring.score_session(session.id)
    with CaptureQueriesContext(connection) as after:
        html = client.get(page).content.decode()
    assert "QUATRE" in html and html.count("Suspicion de fraude (C6)") == 3
    assert len(after) == len(before)


@pytest.mark.django_db
def test_opening_the_results_page_computes_nothing(client_for, school, session, school_admin):
    sit(enrol(session), ["ok"] * 32)
    client_for(school_admin).get(url("session_results", school, session_id=session.id))
    session.refresh_from_db()
    assert session.status == "finalized" and not CertificationResult.objects.exists()
