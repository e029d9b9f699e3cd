"""RGPD: a pupil's data exported and erased by a school admin, the nightly purge, the « Données personnelles » page."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certif.course.models import CertificationAlert, CertificationCourse, CertificationQuestion
from certif.documents.models import SessionDocument
from certif.finalisation.models import IssueReport
from certif.results.models import CertificationResult
from certif.sessions.models import Candidate
from crcn.models import Challenge
from orga.models import Answer, CompetenceResult, Participation, PixCampaignImport, Pupil, Report
from pixdeploy import erasure, tasks
from pixdeploy.models import ErasureRecord

from .certif.helpers import make_session, position
from .concurrency import at_once
from .factories import DivisionFactory, MembershipFactory, PupilFactory, SiecleImportFactory, UserFactory

HOSTILE_FIRST = "Léa<script>alert(1)</script>"
HOSTILE_LAST = '=HYPERLINK("http://x")'


class World:
    """A pupil with a hostile name, an account linked to the ENT, a campaign with answers, three candidacies (a
    published validated certificate, a finalised session, a session to come), the documents and import reports
    naming them; a classmate whose data must never show in the pupil's export."""

    def __init__(self, school):
        now = timezone.now()
        self.school = school
        self.admin = MembershipFactory(school=school, role="admin", user=UserFactory(username="principale")).user
        self.division = DivisionFactory(school=school, name="3e B")
        self.user = UserFactory(username="lea.hyperlink", email="lea@exemple.fr")
        self.pupil = PupilFactory(
            school=school, division=self.division, user=self.user, first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST
        )
        SocialAccount.objects.create(user=self.user, provider="ent", uid="ent-4242")
        self.classmate = PupilFactory(school=school, division=self.division, first_name="Bastien", last_name="VOISIN")

        self.participation = position(self.pupil, self.admin, {"1.1": 2, "1.2": 1})
        challenge = Challenge.objects.select_related("skill").first()
        self.answer = Answer.objects.create(
            participation=self.participation, challenge=challenge, skill=challenge.skill, value="=cmd|' /C calc'!A0"
        )
        other = Participation.objects.create(campaign=self.participation.campaign, pupil=self.classmate)
        Answer.objects.create(participation=other, challenge=challenge, skill=challenge.skill, value="secret-voisin")
        Report.objects.create(
            school=school, campaign=self.participation.campaign, requested_by=self.admin, kind="results_csv"
        ).succeed()

        self.published = self._candidacy(make_session(school, date=timezone.localdate(), room="Salle 1"), challenge)
        self.result = CertificationResult.objects.create(
            candidate=self.published,
            status="validated",
            pix_score=300,
            level=3,
            level_label="Indépendant 1",
            competence_levels={"1.1": 3},
            verification_code="P-BCDFGHJK",
            comment_for_organisation="Lea a bien travaillé",
        )
        session = self.published.session
        session.status, session.finalised_at, session.published_at = "processed", now, now
        session.save()
        self.finalised = self._candidacy(make_session(school, room="Salle 2"), challenge)
        self.finalised.session.status = "finalized"
        self.finalised.session.save()
        self.coming = Candidate.objects.create(
            session=make_session(school, room="Salle 3"),
            pupil=self.pupil,
            ine=self.pupil.ine,
            last_name=HOSTILE_LAST,
            first_name=HOSTILE_FIRST,
            birthdate=self.pupil.birthdate,
        )
        SessionDocument.objects.create(session=self.published.session, kind="emargement", status="done")
        SiecleImportFactory(
            school=school,
            report={"left_names": [f"{HOSTILE_LAST} {HOSTILE_FIRST}", "VOISIN Bastien"]},
            errors=[f"{HOSTILE_LAST} {HOSTILE_FIRST} (INE {self.pupil.ine}) : classe manquante"],
        )
        self.pix_import = PixCampaignImport.objects.create(
            school=school,
            original_name="export.csv",
            status="done",
            preview={"rows": [{"pupil_id": self.pupil.id, "last_name": "X", "first_name": "Y", "pupil": "X Y"}]},
        )

    def _candidacy(self, session, challenge):
        candidate = Candidate.objects.create(
            session=session,
            pupil=self.pupil,
            ine=self.pupil.ine,
            last_name=HOSTILE_LAST,
            first_name=HOSTILE_FIRST,
            birthdate=self.pupil.birthdate,
            birth_city="Lyon",
            division_name="3e B",
            extra_time_percentage=33,
            started_at=timezone.now(),
        )
        course = CertificationCourse.objects.create(
            candidate=candidate, deadline=timezone.now(), ended_at=timezone.now(), seed="s", browser_key="clef"
        )
        question = CertificationQuestion.objects.create(
            course=course, number=1, challenge=challenge, answer_value="ma réponse", result="ok"
        )
        CertificationAlert.objects.create(course=course, kind="challenge_problem", question=question, message="Aidez")
        IssueReport.objects.create(candidate=candidate, category="C8", description="Léa a pleuré")
        return candidate


@pytest.fixture
def world(framework, school):
    return World(school)


def _archive(client, world):
    response = client.get(reverse("pupil_data_export", kwargs={"uai": world.school.uai, "pupil_id": world.pupil.id}))
    assert response.status_code == 200
    return response, zipfile.ZipFile(io.BytesIO(response.content))


def test_the_export_holds_everything_about_the_pupil_and_nothing_else(client_for, world):
    response, archive = _archive(client_for(world.admin), world)
    assert sorted(archive.namelist()) == ["donnees.html", "donnees.json", "reponses.csv"]
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="donnees-') and "<" not in disposition
    assert disposition.count('"') == 2  # the name's own quotes were replaced
    data = json.loads(archive.read("donnees.json"))
    assert data["identite"]["prenom"] == HOSTILE_FIRST
    assert data["identite"]["ine"] == world.pupil.ine
    assert data["scolarite"]["classe"] == "3e B"
    assert data["compte"]["identifiant"] == "lea.hyperlink"
    assert data["compte"]["comptes_ent_relies"][0]["identifiant"] == "ent-4242"
    [participation] = data["participations"]
    assert [r["niveau"] for r in participation["resultats_par_competence"]] == [2, 1]
    assert participation["reponses"][0]["reponse"] == "=cmd|' /C calc'!A0"
    by_room = {c["salle"]: c for c in data["certifications"]}
    assert set(by_room) == {"Salle 1", "Salle 2", "Salle 3"}
    assert by_room["Salle 1"]["resultat"]["code_de_verification"] == "P-BCDFGHJK"
    assert by_room["Salle 1"]["test"]["questions"][0]["reponse"] == "ma réponse"
    assert by_room["Salle 1"]["signalements"][0]["description"] == "Léa a pleuré"
    everything = b"".join(archive.read(name) for name in archive.namelist())
    world.user.refresh_from_db()
    assert world.user.password.encode() not in everything  # never the password's hash
    for other in (b"VOISIN", b"Bastien", b"secret-voisin", world.classmate.ine.encode()):
        assert other not in everything


def test_the_export_is_safe_to_open(client_for, world):
    _, archive = _archive(client_for(world.admin), world)
    html = archive.read("donnees.html").decode()
    assert "<script>" not in html
    assert "Léa&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Identité à l&#x27;inscription" in html
    rows = list(csv.reader(io.StringIO(archive.read("reponses.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[1][5] == "'=cmd|' /C calc'!A0"  # defused: a spreadsheet shows it, never runs it
    assert [row[0] for row in rows[1:]] == ["Campagne", "Certification", "Certification"]


def test_the_export_reads_a_fixed_number_of_queries(client_for, world):
    client = client_for(world.admin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            _archive(client, world)
        return len(captured)

    before = queries()
    for _ in range(3):
        position(world.pupil, world.admin, {"2.1": 1, "3.1": 2})
    session = make_session(world.school, room="Salle 9")
    world._candidacy(session, Challenge.objects.first())
    assert queries() == before


def _erase_url(world):
    return reverse("pupil_erase", kwargs={"uai": world.school.uai, "pupil_id": world.pupil.id})


def test_only_the_school_admin_exports_or_erases(client_for, world, teacher, other_school_admin):
    export_url = reverse("pupil_data_export", kwargs={"uai": world.school.uai, "pupil_id": world.pupil.id})
    typed = {"name": f"{HOSTILE_FIRST} {HOSTILE_LAST}"}
    for user, status in ((teacher, 403), (other_school_admin, 404)):
        assert client_for(user).get(export_url).status_code == status
        assert client_for(user).post(_erase_url(world), typed).status_code == status
    other_pupil = PupilFactory(school=other_school_admin.memberships.get().school)
    url = reverse("pupil_erase", kwargs={"uai": world.school.uai, "pupil_id": other_pupil.id})
    assert client_for(world.admin).post(url, {"name": str(other_pupil)}).status_code == 404
    assert not Pupil.objects.filter(erased_at__isnull=False).exists()
    assert not ErasureRecord.objects.exists()


def test_a_wrong_name_erases_nothing(client_for, world):
    client = client_for(world.admin)
    page = client.get(_erase_url(world)).content.decode()
    assert "Léa&lt;script&gt;alert(1)&lt;/script&gt; =HYPERLINK(&quot;http://x&quot;)" in page
    response = client.post(_erase_url(world), {"name": "Bastien VOISIN"})
    assert response.status_code == 200
    assert "n&#x27;est pas celui de l&#x27;élève : rien n&#x27;a été effacé" in response.content.decode()
    empty = client.post(_erase_url(world), {}).content.decode()
    assert "Tapez le prénom et le nom de l&#x27;élève pour confirmer l&#x27;effacement." in empty
    world.pupil.refresh_from_db()
    assert world.pupil.erased_at is None and world.pupil.user_id == world.user.id


def test_erasing_anonymises_every_table_and_keeps_the_counts(client_for, world):
    campaign = world.participation.campaign
    shared = Participation.objects.filter(campaign=campaign, status="shared").count()
    counts = (Participation.objects.count(), Answer.objects.count(), CompetenceResult.objects.count())
    certifications = CertificationResult.objects.filter(candidate__session__school=world.school).count()
    client = client_for(world.admin)
    typed = {"name": 'lea<SCRIPT>ALERT(1)</script> =hyperlink("http://x")'}  # case and accents do not matter
    response = client.post(_erase_url(world), typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("orga:pupils", kwargs={"uai": world.school.uai})

    pupil = Pupil.objects.get(id=world.pupil.id)
    assert pupil.erased_at is not None and not pupil.is_active
    assert (pupil.last_name, pupil.first_name, pupil.ine) == ("Élève effacé", "", erasure.erased_ine(pupil.id))
    assert (pupil.birthdate, pupil.sex, pupil.mef_code, pupil.user) == (erasure.ERASED_BIRTHDATE, "", "", None)
    assert pupil.division == world.division  # the class's figures still count the pupil
    assert not get_user_model().objects.filter(id=world.user.id).exists()
    assert not SocialAccount.objects.filter(uid="ent-4242").exists()

    assert (Participation.objects.count(), Answer.objects.count(), CompetenceResult.objects.count()) == counts
    assert Participation.objects.filter(campaign=campaign, status="shared").count() == shared
    assert Answer.objects.get(id=world.answer.id).value == ""
    assert Answer.objects.filter(value="secret-voisin").exists()  # the classmate's untouched
    assert not Report.objects.filter(campaign=campaign).exists()  # the export that printed the name

    certificate = Candidate.objects.get(id=world.published.id)  # published and validated: verifiable
    assert (certificate.last_name, certificate.first_name) == (HOSTILE_LAST, HOSTILE_FIRST)
    assert (certificate.ine, certificate.birth_city, certificate.division_name) == ("", "", "")
    assert certificate.extra_time_percentage == 0
    assert CertificationResult.objects.get(id=world.result.id).verification_code == "P-BCDFGHJK"
    assert CertificationResult.objects.get(id=world.result.id).comment_for_organisation == ""
    finalised = Candidate.objects.get(id=world.finalised.id)
    assert (finalised.last_name, finalised.first_name, finalised.ine) == ("Élève effacé", "", "")
    assert finalised.birthdate == erasure.ERASED_BIRTHDATE
    assert not Candidate.objects.filter(id=world.coming.id).exists()  # a session to come: withdrawn
    assert CertificationResult.objects.filter(candidate__session__school=world.school).count() == certifications
    assert set(CertificationQuestion.objects.values_list("answer_value", flat=True)) == {""}
    assert set(CertificationAlert.objects.values_list("message", flat=True)) == {""}
    assert set(IssueReport.objects.values_list("description", flat=True)) == {""}
    assert set(CertificationCourse.objects.values_list("browser_key", flat=True)) == {""}
    assert not SessionDocument.objects.exists()

    siecle = world.school.imports.get()
    assert siecle.report["left_names"] == ["Élève effacé", "VOISIN Bastien"]
    assert siecle.errors == ["Élève effacé"]
    world.pix_import.refresh_from_db()
    assert world.pix_import.preview["rows"][0] | {"pupil_id": 0} == {
        "pupil_id": 0,
        "last_name": "Élève effacé",
        "first_name": "",
        "pupil": "Élève effacé",
    }

    record = ErasureRecord.objects.get()
    assert (record.school, record.pupil_id, record.erased_by, record.reason) == (
        world.school,
        pupil.id,
        world.admin,
        "request",
    )
    assert (record.participations, record.certifications_kept) == (1, 1)
    detail = reverse("orga:pupil_detail", kwargs={"uai": world.school.uai, "pupil_id": pupil.id})
    html = client.get(detail).content.decode()
    assert "ont été effacées le" in html and pupil.ine not in html and "01/01/1900" not in html
    assert "Effacer ses données" not in html
    listed = client.get(reverse("orga:pupils", kwargs={"uai": world.school.uai}) + "?statut=tous").content.decode()
    assert "Élève effacé" not in listed and "VOISIN" in listed


def test_a_second_submission_does_nothing(client_for, world):
    client = client_for(world.admin)
    typed = {"name": f"{HOSTILE_FIRST} {HOSTILE_LAST}"}
    assert client.post(_erase_url(world), typed).status_code == 302
    response = client.post(_erase_url(world), typed, follow=True)
    assert "Les données de cet élève sont déjà effacées." in response.content.decode()
    assert erasure.erase_pupil(world.pupil.id) is None
    assert ErasureRecord.objects.count() == 1


def test_the_pupil_page_offers_export_and_erasure_to_the_admin_only(client_for, world, teacher):
    url = reverse("orga:pupil_detail", kwargs={"uai": world.school.uai, "pupil_id": world.pupil.id})
    html = client_for(world.admin).get(url).content.decode()
    assert "Télécharger ses données" in html and "Effacer ses données" in html
    teacher.memberships.get().divisions.add(world.division)
    html = client_for(teacher).get(url).content.decode()
    assert "Télécharger ses données" not in html and "Effacer ses données" not in html


def _disabled(school, years_ago, **fields):
    when = erasure.years_before(timezone.now(), years_ago) - datetime.timedelta(days=1)
    return PupilFactory(school=school, is_active=False, disabled_at=when, **fields)


def test_the_nightly_purge_erases_pupils_disabled_longer_than_the_setting(framework, school, settings):
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-pupils"]["task"] == "pixdeploy.purge_expired_pupils"
    settings.PUPIL_RETENTION_YEARS = 2
    old = _disabled(school, 2, user=UserFactory(username="parti.depuis.longtemps"))
    recent = _disabled(school, 1)
    active = PupilFactory(school=school)
    never_dated = PupilFactory(school=school, is_active=False)  # no date known: never purged blindly
    assert tasks.purge_expired_pupils() == {"erased": 1, "certified_identities_blanked": 0}
    erased = {p.id for p in Pupil.objects.filter(erased_at__isnull=False)}
    assert erased == {old.id}
    assert not get_user_model().objects.filter(username="parti.depuis.longtemps").exists()
    record = ErasureRecord.objects.get()
    assert (record.reason, record.erased_by, record.school) == ("retention", None, school)

    settings.PUPIL_RETENTION_YEARS = 1
    assert tasks.purge_expired_pupils()["erased"] == 1
    assert {p.id for p in Pupil.objects.filter(erased_at__isnull=False)} == {old.id, recent.id}
    assert tasks.purge_expired_pupils()["erased"] == 0  # safe to run twice
    assert ErasureRecord.objects.count() == 2
    assert Pupil.objects.get(id=active.id).erased_at is None
    assert Pupil.objects.get(id=never_dated.id).erased_at is None


def test_a_kept_certificate_loses_its_identity_after_its_years(world, settings):
    erasure.erase_pupil(world.pupil.id, by=world.admin)
    settings.CERTIFICATE_KEPT_YEARS = 3
    assert erasure.expire_certified_identities() == 0
    settings.CERTIFICATE_KEPT_YEARS = 0
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert erasure.expire_certified_identities(tomorrow) == 1
    certificate = Candidate.objects.get(id=world.published.id)
    assert (certificate.last_name, certificate.first_name) == ("Élève effacé", "")
    assert CertificationResult.objects.get(id=world.result.id).verification_code is None
    assert CertificationResult.objects.get(id=world.result.id).status == "validated"  # still counted
    assert erasure.expire_certified_identities(tomorrow) == 0


@pytest.mark.django_db
def test_the_personal_data_page_describes_the_processing(client, settings):
    settings.PUPIL_RETENTION_YEARS = 2
    html = " ".join(client.get(reverse("personal_data")).content.decode().split())
    for words in (
        "Responsable du traitement",
        "mission d'intérêt public",
        "Données traitées",
        "Destinataires",
        "effacées automatiquement 2 ans après",
        "Vos droits et comment les exercer",
        "Sous-traitants",
        "CNIL",
    ):
        assert words in html, words
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("personal_data")}">Données personnelles</a>' in home


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Requêtes simultanées : il faut PostgreSQL (DATABASE_URL)."
)
def test_two_admins_erasing_at_once_erase_once(world):
    second = MembershipFactory(school=world.school, role="admin", user=UserFactory(username="adjointe")).user
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    clients[0].force_login(world.admin)
    clients[1].force_login(second)
    typed = {"name": f"{HOSTILE_FIRST} {HOSTILE_LAST}"}
    statuses = at_once(clients, lambda client: client.post(_erase_url(world), typed), lambda r: r.status_code)
    assert statuses == [302, 302]
    assert ErasureRecord.objects.count() == 1


def test_the_erasures_are_listed_read_only_in_the_admin_site(client_for, world, superuser):
    erasure.erase_pupil(world.pupil.id, by=world.admin)
    client = client_for(superuser)
    html = client.get(reverse("admin:pixdeploy_erasurerecord_changelist")).content.decode()
    assert "Effacement demandé à un administrateur" in html
    assert HOSTILE_LAST not in html and "Léa" not in html
    assert client.get(reverse("admin:pixdeploy_erasurerecord_add")).status_code == 403


def test_erase_pupils_replays_erasures_after_a_restore(framework, school):
    from django.core.management import call_command

    pupil, erased = PupilFactory(school=school), PupilFactory(school=school)
    erasure.erase_pupil(erased.id)
    out = io.StringIO()
    call_command("erase_pupils", str(pupil.id), str(erased.id), "999999", stdout=out)
    assert out.getvalue() == "1 élève effacé, 2 déjà effacés ou inconnus.\n"
    assert Pupil.objects.get(id=pupil.id).erased_at is not None
    assert ErasureRecord.objects.count() == 2


def test_the_journal_records_exports_and_erasures_and_forgets_the_name(client_for, world):
    from orga.audit.models import AuditEvent
    from orga.audit.services import Action, record

    record(world.user, world.school, Action.SIGN_IN_LOCKOUT, ("compte", world.user.pk, "lea.hyperlink"))
    client = client_for(world.admin)
    _archive(client, world)
    exported = AuditEvent.objects.get(action=Action.PUPIL_DATA_EXPORTED)
    assert (exported.actor, exported.target_id, exported.school) == (world.admin, str(world.pupil.id), world.school)

    client.post(_erase_url(world), {"name": f"{HOSTILE_FIRST} {HOSTILE_LAST}"})
    erased = AuditEvent.objects.get(action=Action.PUPIL_DELETED)
    assert (erased.actor, erased.target_label, erased.address) == (world.admin, "Élève effacé", "127.0.0.1")
    assert erased.detail == {"erasure": ErasureRecord.objects.get().id}
    labels = list(AuditEvent.objects.values_list("actor_label", "target_label", "description"))
    assert not [label for label in labels if any("HYPERLINK" in text or "lea.hyperlink" in text for text in label)]
    assert AuditEvent.objects.get(action=Action.PUPIL_DATA_EXPORTED).target_label == "Élève effacé"
    assert AuditEvent.objects.get(action=Action.SIGN_IN_LOCKOUT).actor_label == "Élève effacé"

    erasure.erase_pupil(_disabled(world.school, 5).id, reason=ErasureRecord.Reason.RETENTION)
    purged = AuditEvent.objects.filter(action=Action.PUPIL_DELETED).latest("id")
    assert (purged.actor, purged.actor_label) == (None, "Système")
    assert "désactivé depuis plus de" in purged.description
