"""Who may open what: every URL pattern of the project, for every role, answers the status written here.

A new URL without an entry in MATRIX makes the test fail: whoever adds a page says who may open it.
The statuses are those of a GET (a POST-only view answers 405 once its guard let the user through, or the guard's
status first); another school's staff get 404 (the school or its object is not theirs), the wrong role 403, the
anonymous a redirection to the sign-in page (302), except on public pages.

Roles: anonymous, pupil (with an account from the import, a participation, a certification candidacy), teacher
(follows the pupil's class), admin (the school's principal), other (another school's principal), invigilator
(signed in with a session number and password, no account) and superuser.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from certif.candidates.enrolment import enrol
from certif.course import services as course_services
from certif.course.models import CertificationAlert, CertificationCourse
from certif.documents.models import SessionDocument
from certif.finalisation.models import IssueReport
from certif.pix_imports.models import PixSessionImport
from certif.results.models import CertificationResult
from certif.sessions.models import Candidate
from orga.campaigns.services import create_campaign
from orga.models import Invitation, Participation, PixCampaignImport, Report, Resource
from pixdeploy.digest import unsubscribe_token
from pixdeploy.models import AcademieReport

from .certif.helpers import make_session
from .factories import DivisionFactory, MembershipFactory, PupilFactory, SchoolFactory, SiecleImportFactory, UserFactory

ROLES = ("anonymous", "pupil", "teacher", "admin", "other", "invigilator", "superuser")

# Not this project's pages: the admin site (superusers only, Django's own checks) and allauth's pages.
IGNORED_NAMESPACES = ("admin",)


def all_url_names():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return {name for name in walk(get_resolver().url_patterns) if name.split(":")[0] not in IGNORED_NAMESPACES}


class World:
    """One school with a pupil, a teacher, a principal, a campaign, a certification session and their objects; a
    second school with its principal."""

    def __init__(self):
        today = timezone.localdate()
        self.school = SchoolFactory(name="Collège Jean-Moulin", uai="0693834T")
        other_school = SchoolFactory(name="Collège Louise-Michel")
        self.admin = MembershipFactory(school=self.school, role="admin", user=UserFactory(username="principale")).user
        self.other = MembershipFactory(school=other_school, role="admin", user=UserFactory(username="autre")).user
        membership = MembershipFactory(school=self.school, role="member", user=UserFactory(username="enseignant"))
        self.teacher, self.membership = membership.user, membership
        self.superuser = UserFactory(username="superadmin", is_superuser=True, is_staff=True)
        self.division = DivisionFactory(school=self.school, name="3e A")
        membership.divisions.add(self.division)
        pupil = PupilFactory(
            school=self.school, division=self.division, user=UserFactory(username="lea.martin1405", email="")
        )
        self.pupil_user, self.pupil = pupil.user, pupil

        self.campaign = create_campaign(
            school=self.school,
            owner=self.admin,
            name="Rentrée",
            type="assessment",
            competence_codes=["1.1"],
            divisions=[self.division],
        )
        self.participation = Participation.objects.create(campaign=self.campaign, pupil=pupil, status="shared")
        self.report = Report.objects.create(
            school=self.school, campaign=self.campaign, requested_by=self.admin, kind="results_xlsx"
        )
        self.siecle_import = SiecleImportFactory(school=self.school)
        self.pix_campaign_import = PixCampaignImport.objects.create(
            school=self.school, original_name="resultats.csv", status="done"
        )
        self.pix_session_import = PixSessionImport.objects.create(
            school=self.school, original_name="resultats_session.csv", status="done"
        )
        self.resource = Resource.objects.create(school=self.school, author=self.admin, title="Fiche")
        self.invitation = Invitation.objects.create(school=self.school, email="nouveau@exemple.fr")

        self.session = make_session(self.school, date=today)
        enrol(self.session, [pupil.id])
        self.candidate = Candidate.objects.get(session=self.session, pupil=pupil)
        now = timezone.now()
        Candidate.objects.filter(id=self.candidate.id).update(identity_confirmed_at=now, presence_confirmed_at=now)
        course_services.open_course(self.candidate.id, "navigateur-test")
        course = CertificationCourse.objects.get(candidate=self.candidate)
        self.alert = CertificationAlert.objects.create(course=course, kind=CertificationAlert.Kind.RESUME)
        self.issue_report = IssueReport.objects.create(candidate=self.candidate, category="C7", description="Panne")
        self.document = SessionDocument.objects.create(session=self.session, kind="emargement")
        # A published session of last week, for the results' pages.
        published = make_session(self.school, date=today - datetime.timedelta(days=7), room="Salle 2")
        enrol(published, [PupilFactory(school=self.school, division=self.division).id])
        done = Candidate.objects.get(session=published)
        CertificationCourse.objects.create(candidate=done, deadline=now, ended_at=now, seed="matrice")
        self.result = CertificationResult.objects.create(
            candidate=done, status="validated", pix_score=300, level=3, verification_code="P-BCDFGHJK"
        )
        published.status, published.finalised_at, published.published_at = "processed", now, now
        published.save()
        self.published = published
        # The académie view's table of every school, computed (empty: enough for its pages to answer).
        self.academie_report = AcademieReport.objects.create(academie="", status="done", progress=100, finished_at=now)


# Each URL's arguments in the world.
def kwargs_of(world):
    uai = {"uai": world.school.uai}
    session = {**uai, "session_id": world.session.id}
    candidate = {"candidate_id": world.candidate.id}
    return {
        "api:certifications": uai,
        "certif:arrival_identity": candidate,
        "certif:arrival_waiting": candidate,
        "certif:authorise_resume": candidate,
        "certif:calendar": uai,
        "certif:cancel_presence": candidate,
        "certif:candidate_extra_time": {**uai, **candidate},
        "certif:candidate_remove": {**uai, **candidate},
        "certif:class_attestations": uai,
        "certif:class_export": {**uai, "extension": "csv"},
        "certif:confirm_presence": candidate,
        "certif:division_results_csv": {**uai, "session_id": world.published.id},
        "certif:end_test": candidate,
        "certif:enrolment": session,
        "certif:finalise": session,
        "certif:handle_problem": {"alert_id": world.alert.id},
        "certif:issue_report_add": {**uai, **candidate},
        "certif:issue_report_remove": {**uai, "report_id": world.issue_report.id},
        "certif:my_attestation": {"candidate_id": world.result.candidate_id},
        "certif:pupil_attestation": {**uai, "result_id": world.result.id},
        "certif:result_comment": {**uai, "result_id": world.result.id},
        "certif:pix_import_confirm": {**uai, "import_id": world.pix_session_import.id},
        "certif:pix_import_detail": {**uai, "import_id": world.pix_session_import.id},
        "certif:pix_import_discard": {**uai, "import_id": world.pix_session_import.id},
        "certif:pix_import_retry": {**uai, "import_id": world.pix_session_import.id},
        "certif:pix_imports": uai,
        "certif:results_by_class": uai,
        "certif:session_create": uai,
        "certif:session_delete": session,
        "certif:session_detail": session,
        "certif:session_document": {**session, "kind": "emargement"},
        "certif:session_document_discard": {**session, "job_id": world.document.id},
        "certif:session_document_download": {**session, "job_id": world.document.id},
        "certif:session_document_page": {**session, "kind": "emargement"},
        "certif:session_document_retry": {**session, "job_id": world.document.id},
        "certif:session_document_start": {**session, "kind": "emargement"},
        "certif:session_edit": session,
        "certif:session_pv": session,
        "certif:session_results": {**uai, "session_id": world.published.id},
        "certif:session_results_compute": session,
        "certif:session_results_csv": {**uai, "session_id": world.published.id},
        "certif:session_results_publish": session,
        "certif:sessions": uai,
        "certif:surveillance": uai,
        "certif:test": candidate,
        "certif:test_answer": candidate,
        "certif:test_end": candidate,
        "certif:test_report": candidate,
        "academie_export": {"file_format": "csv"},
        "academie_job": {"job_id": world.academie_report.id},
        "academie_job_rescue": {"job_id": world.academie_report.id, "action": "retry"},
        "certif:verify": {"code": "P-BCDFGHJK"},
        "certif:window_warning": uai,
        "checklist_tick": {**uai, "key": "present_team"},
        "close_school_year": uai,
        "digest_unsubscribe": {"token": unsubscribe_token(world.teacher)},
        "orga:answer": {"participation_id": world.participation.id},
        "orga:campaign_activity": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_analysis": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_archive": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_confirm": {"code": world.campaign.code},
        "orga:campaign_detail": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_edit": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_letter": {**uai, "campaign_id": world.campaign.id, "division_id": world.division.id},
        "orga:campaign_results": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_sheet": {**uai, "campaign_id": world.campaign.id},
        "orga:campaign_create": uai,
        "orga:campaigns": uai,
        "orga:choose_classes": uai,
        "orga:class_objective": {**uai, "division_id": world.division.id},
        "orga:class_progress": {**uai, "division_id": world.division.id},
        "orga:class_reminder": {**uai, "division_id": world.division.id},
        "orga:credentials_file": {**uai, "division_id": world.division.id, "fmt": "csv"},
        "orga:division_accounts": {**uai, "division_id": world.division.id},
        "orga:divisions": uai,
        "orga:import_detail": {**uai, "import_id": world.siecle_import.id},
        "orga:import_discard": {**uai, "import_id": world.siecle_import.id},
        "orga:import_retry": {**uai, "import_id": world.siecle_import.id},
        "orga:imports": uai,
        "orga:invitation_accept": {"token": world.invitation.token},
        "orga:invitation_cancel": {**uai, "invitation_id": world.invitation.id},
        "orga:invitation_confirm": {**uai, "invitation_id": world.invitation.id},
        "orga:invitation_refuse": {**uai, "invitation_id": world.invitation.id},
        "orga:invitation_resend": {**uai, "invitation_id": world.invitation.id},
        "orga:invite": uai,
        "orga:member_classes": {**uai, "membership_id": world.membership.id},
        "orga:member_remove": {**uai, "membership_id": world.membership.id},
        "orga:member_role": {**uai, "membership_id": world.membership.id},
        "orga:journal": uai,
        "orga:journal_csv": uai,
        "orga:members": uai,
        "orga:my_classes": uai,
        "orga:pix_import_confirm": {**uai, "import_id": world.pix_campaign_import.id},
        "orga:pix_import_detail": {**uai, "import_id": world.pix_campaign_import.id},
        "orga:pix_import_discard": {**uai, "import_id": world.pix_campaign_import.id},
        "orga:pix_import_retry": {**uai, "import_id": world.pix_campaign_import.id},
        "orga:pix_imports": uai,
        "orga:pupil_detail": {**uai, "pupil_id": world.pupil.id},
        "orga:pupil_ent_link": {**uai, "pupil_id": world.pupil.id},
        "orga:pupil_ent_unlink": {**uai, "pupil_id": world.pupil.id, "link_id": 1},
        "orga:pupils": uai,
        "orga:report_create": uai,
        "orga:report_detail": {**uai, "report_id": world.report.id},
        "orga:report_discard": {**uai, "report_id": world.report.id},
        "orga:report_download": {**uai, "report_id": world.report.id},
        "orga:report_retry": {**uai, "report_id": world.report.id},
        "orga:reports": uai,
        "orga:reset_confirm": {**uai, "division_id": world.division.id},
        "orga:resource_create": uai,
        "orga:resource_delete": {**uai, "resource_id": world.resource.id},
        "orga:resource_file": {**uai, "resource_id": world.resource.id},
        "orga:resources": uai,
        "orga:results": {"participation_id": world.participation.id},
        "orga:school_settings": uai,
        "orga:share": {"participation_id": world.participation.id},
        "orga:take": {"participation_id": world.participation.id},
        "school_years": uai,
        "pupil_data_export": {**uai, "pupil_id": world.pupil.id},
        "pupil_erase": {**uai, "pupil_id": world.pupil.id},
    }


# The query string a page needs to show something (a class chosen).
QUERIES = {
    "certif:class_attestations": "?classe=3e%20A",
    "certif:class_export": "?classe=3e%20A",
    "certif:division_results_csv": "?classe=3e%20A",
}

# Allauth's pages, with the arguments of a link that is not valid (the page still answers).
ACCOUNT_KWARGS = {
    "account_confirm_email": {"key": "inconnue"},
    "account_reset_password_from_key": {"uidb36": "0", "key": "inconnue"},
    "openid_connect_login": {"provider_id": "inconnu"},  # no such ENT configured: 404
    "openid_connect_callback": {"provider_id": "inconnu"},
}

# name: statuses for (anonymous, pupil, teacher, admin, other, invigilator, superuser).
MATRIX = {
    # The académie view: a superuser's or an académie referent's (see tests/test_academie.py for the referents).
    "academie": (302, 403, 403, 403, 403, 302, 200),
    "academie_export": (302, 403, 403, 403, 403, 302, 200),
    "academie_job": (302, 403, 403, 403, 403, 302, 302),  # the progress polled by htmx; else back to the page
    "academie_job_rescue": (405, 405, 405, 405, 405, 405, 405),
    "academie_recompute": (405, 405, 405, 405, 405, 405, 405),
    "accessibilite": (200, 200, 200, 200, 200, 200, 200),
    "account_change_password": (302, 200, 200, 200, 200, 302, 200),
    "account_confirm_email": (200, 200, 200, 200, 200, 200, 200),
    "account_confirm_login_code": (302, 302, 302, 302, 302, 302, 302),
    "account_email": (302, 200, 200, 200, 200, 302, 200),
    "account_email_verification_sent": (200, 200, 200, 200, 200, 200, 200),
    "account_inactive": (200, 200, 200, 200, 200, 200, 200),
    "account_login": (200, 302, 302, 302, 302, 200, 302),
    "account_logout": (302, 200, 200, 200, 200, 302, 200),
    "account_reauthenticate": (302, 200, 200, 200, 200, 302, 200),
    "account_reset_password": (200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_done": (200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_from_key": (200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_from_key_done": (200, 200, 200, 200, 200, 200, 200),
    "account_set_password": (302, 302, 302, 302, 302, 302, 302),
    "account_signup": (200, 302, 302, 302, 302, 200, 302),
    "api:certifications": (401, 401, 401, 401, 401, 401, 401),
    "api:openapi": (200, 200, 200, 200, 200, 200, 200),
    "api:token": (405, 405, 405, 405, 405, 405, 405),
    "certif:arrival": (302, 200, 403, 403, 403, 302, 403),
    "certif:arrival_identity": (302, 302, 403, 403, 403, 302, 403),
    "certif:arrival_waiting": (302, 302, 403, 403, 403, 302, 403),
    "certif:authorise_resume": (405, 405, 405, 405, 405, 405, 405),
    "certif:calendar": (302, 403, 200, 200, 404, 302, 200),
    "certif:cancel_presence": (405, 405, 405, 405, 405, 405, 405),
    "certif:candidate_extra_time": (405, 405, 405, 405, 405, 405, 405),
    "certif:candidate_remove": (405, 405, 405, 405, 405, 405, 405),
    "certif:class_attestations": (302, 403, 200, 200, 404, 302, 200),
    "certif:class_export": (302, 403, 200, 200, 404, 302, 200),
    "certif:confirm_presence": (405, 405, 405, 405, 405, 405, 405),
    "certif:division_results_csv": (302, 403, 403, 200, 404, 302, 200),
    "certif:end_test": (302, 302, 302, 302, 302, 200, 302),
    "certif:enrolment": (302, 403, 403, 200, 404, 302, 200),
    "certif:finalise": (302, 403, 403, 200, 404, 302, 200),
    "certif:handle_problem": (302, 302, 302, 302, 302, 404, 302),
    "certif:invigilation": (302, 302, 302, 302, 302, 200, 302),
    "certif:invigilator_sign_in": (200, 200, 200, 200, 200, 200, 200),
    "certif:invigilator_sign_out": (405, 405, 405, 405, 405, 405, 405),
    "certif:issue_report_add": (405, 405, 405, 405, 405, 405, 405),
    "certif:issue_report_remove": (405, 405, 405, 405, 405, 405, 405),
    "certif:my_attestation": (302, 404, 403, 403, 403, 302, 403),
    "certif:my_results": (302, 200, 403, 403, 403, 302, 403),
    "certif:pupil_attestation": (302, 403, 200, 200, 404, 302, 200),
    "certif:result_comment": (405, 405, 405, 405, 405, 405, 405),
    "certif:pix_import_confirm": (405, 405, 405, 405, 405, 405, 405),
    "certif:pix_import_detail": (302, 403, 403, 200, 404, 302, 200),
    "certif:pix_import_discard": (405, 405, 405, 405, 405, 405, 405),
    "certif:pix_import_retry": (405, 405, 405, 405, 405, 405, 405),
    "certif:pix_imports": (302, 403, 403, 200, 404, 302, 200),
    "certif:results_by_class": (302, 403, 200, 200, 404, 302, 200),
    "certif:session_create": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_delete": (302, 403, 403, 403, 404, 302, 403),
    "certif:session_detail": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_document": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_document_discard": (405, 405, 405, 405, 405, 405, 405),
    "certif:session_document_download": (302, 403, 403, 302, 404, 302, 302),
    "certif:session_document_page": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_document_retry": (405, 405, 405, 405, 405, 405, 405),
    "certif:session_document_start": (405, 405, 405, 405, 405, 405, 405),
    "certif:session_edit": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_pv": (302, 403, 403, 403, 404, 302, 403),
    "certif:session_results": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_results_compute": (405, 405, 405, 405, 405, 405, 405),
    "certif:session_results_csv": (302, 403, 403, 200, 404, 302, 200),
    "certif:session_results_publish": (302, 403, 403, 403, 404, 302, 403),
    "certif:sessions": (302, 403, 200, 200, 404, 302, 200),
    "certif:surveillance": (302, 403, 403, 200, 404, 302, 200),
    "certif:test": (302, 200, 403, 403, 403, 302, 403),
    "certif:test_answer": (405, 405, 405, 405, 405, 405, 405),
    "certif:test_end": (302, 302, 403, 403, 403, 302, 403),
    "certif:test_report": (405, 405, 405, 405, 405, 405, 405),
    "certif:verify": (200, 200, 200, 200, 200, 200, 200),
    "certif:verify_form": (200, 200, 200, 200, 200, 200, 200),
    "certif:window_warning": (302, 403, 403, 200, 404, 302, 200),
    "checklist_tick": (405, 405, 405, 405, 405, 405, 405),
    "close_school_year": (302, 403, 403, 302, 404, 302, 302),
    "crcn:referentiel": (200, 200, 200, 200, 200, 200, 200),
    "digest_unsubscribe": (200, 200, 200, 200, 200, 200, 200),
    "email_preferences": (302, 200, 200, 200, 200, 302, 200),
    "home": (200, 200, 200, 200, 200, 200, 200),
    "mentions_legales": (200, 200, 200, 200, 200, 200, 200),
    "personal_data": (200, 200, 200, 200, 200, 200, 200),
    "pupil_data_export": (302, 403, 403, 200, 404, 302, 200),
    "pupil_erase": (302, 403, 403, 200, 404, 302, 200),
    "openid_connect_callback": (404, 404, 404, 404, 404, 404, 404),
    "openid_connect_login": (404, 404, 404, 404, 404, 404, 404),
    "orga:answer": (405, 405, 405, 405, 405, 405, 405),
    "orga:campaign_activity": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_analysis": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_archive": (405, 405, 405, 405, 405, 405, 405),
    "orga:campaign_confirm": (302, 200, 403, 403, 403, 302, 403),
    "orga:campaign_create": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_detail": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_edit": (302, 403, 403, 200, 404, 302, 200),
    "orga:campaign_letter": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_results": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaign_sheet": (302, 403, 200, 200, 404, 302, 200),
    "orga:campaigns": (302, 403, 200, 200, 404, 302, 200),
    "orga:choose_classes": (302, 403, 200, 200, 404, 302, 302),
    "orga:class_objective": (405, 405, 405, 405, 405, 405, 405),
    "orga:class_progress": (302, 403, 200, 200, 404, 302, 200),
    "orga:class_reminder": (302, 403, 200, 200, 404, 302, 200),
    "orga:credentials_file": (405, 405, 405, 405, 405, 405, 405),
    "orga:division_accounts": (302, 403, 403, 200, 404, 302, 200),
    "orga:divisions": (302, 403, 200, 200, 404, 302, 200),
    "orga:enter_code": (302, 200, 200, 200, 200, 302, 200),
    "orga:import_detail": (302, 403, 403, 200, 404, 302, 200),
    "orga:import_discard": (405, 405, 405, 405, 405, 405, 405),
    "orga:import_retry": (405, 405, 405, 405, 405, 405, 405),
    "orga:imports": (302, 403, 403, 200, 404, 302, 200),
    "orga:pix_import_confirm": (405, 405, 405, 405, 405, 405, 405),
    "orga:pix_import_detail": (302, 403, 403, 200, 404, 302, 200),
    "orga:pix_import_discard": (405, 405, 405, 405, 405, 405, 405),
    "orga:pix_import_retry": (405, 405, 405, 405, 405, 405, 405),
    "orga:pix_imports": (302, 403, 403, 200, 404, 302, 200),
    "orga:invitation_accept": (200, 200, 200, 200, 200, 200, 200),
    "orga:invitation_cancel": (302, 403, 403, 405, 404, 302, 405),
    "orga:invitation_confirm": (302, 403, 403, 405, 404, 302, 405),
    "orga:invitation_refuse": (302, 403, 403, 405, 404, 302, 405),
    "orga:invitation_resend": (302, 403, 403, 405, 404, 302, 405),
    "orga:invite": (302, 403, 403, 405, 404, 302, 405),
    "orga:member_classes": (302, 403, 403, 200, 404, 302, 200),
    "orga:member_remove": (302, 403, 403, 405, 404, 302, 405),
    "orga:member_role": (302, 403, 403, 405, 404, 302, 405),
    "orga:journal": (302, 403, 403, 200, 404, 302, 200),
    "orga:journal_csv": (302, 403, 403, 200, 404, 302, 200),
    "orga:members": (302, 403, 200, 200, 404, 302, 200),
    "orga:my_classes": (302, 403, 200, 200, 404, 302, 200),
    "orga:my_profile": (302, 200, 403, 403, 403, 302, 403),
    "orga:pupil_detail": (302, 403, 200, 200, 404, 302, 200),
    "orga:pupil_ent_link": (405, 405, 405, 405, 405, 405, 405),
    "orga:pupil_ent_unlink": (405, 405, 405, 405, 405, 405, 405),
    "orga:pupils": (302, 403, 200, 200, 404, 302, 200),
    "orga:report_create": (405, 405, 405, 405, 405, 405, 405),
    "orga:report_detail": (302, 403, 404, 200, 404, 302, 200),
    "orga:report_discard": (405, 405, 405, 405, 405, 405, 405),
    "orga:report_download": (302, 403, 404, 302, 404, 302, 302),
    "orga:report_retry": (405, 405, 405, 405, 405, 405, 405),
    "orga:reports": (302, 403, 200, 200, 404, 302, 200),
    "orga:reset_confirm": (405, 405, 405, 405, 405, 405, 405),
    "orga:resource_create": (302, 403, 200, 200, 404, 302, 200),
    "orga:resource_delete": (405, 405, 405, 405, 405, 405, 405),
    "orga:resource_file": (302, 403, 404, 404, 404, 302, 404),
    "orga:resources": (302, 403, 200, 200, 404, 302, 200),
    "orga:results": (302, 200, 404, 404, 404, 302, 404),
    "orga:school_settings": (302, 403, 403, 405, 404, 302, 405),
    "orga:share": (405, 405, 405, 405, 405, 405, 405),
    "orga:take": (302, 302, 404, 404, 404, 302, 404),
    "school_years": (302, 403, 403, 200, 404, 302, 200),
    "service_status": (302, 403, 403, 403, 403, 302, 200),
    "stack_check": (200, 200, 200, 200, 200, 200, 200),
    "socialaccount_connections": (302, 200, 200, 200, 200, 302, 200),
    "socialaccount_login_cancelled": (200, 200, 200, 200, 200, 200, 200),
    "socialaccount_login_error": (401, 401, 401, 401, 401, 401, 401),
    "socialaccount_signup": (302, 302, 302, 302, 302, 302, 302),
}


def _client(world, role):
    client = Client()
    users = {
        "pupil": world.pupil_user,
        "teacher": world.teacher,
        "admin": world.admin,
        "other": world.other,
        "superuser": world.superuser,
    }
    if role in users:
        client.force_login(users[role])
    elif role == "invigilator":
        client.post(
            reverse("certif:invigilator_sign_in"),
            {"number": str(world.session.number), "password": world.session.invigilator_password},
        )
    return client


def observed_statuses(world):
    kwargs = {**kwargs_of(world), **ACCOUNT_KWARGS}
    names = sorted(all_url_names())
    statuses = {name: [] for name in names}
    for role in ROLES:
        client = _client(world, role)
        for name in names:
            url = reverse(name, kwargs=kwargs.get(name)) + QUERIES.get(name, "")
            try:
                statuses[name].append(client.get(url).status_code)
            except Exception as error:  # noqa: BLE001 — named in the failure
                statuses[name].append(f"{error.__class__.__name__}: {error}"[:80])
    return statuses


@pytest.mark.django_db
def test_every_url_answers_each_role_as_written(framework, mailoutbox):
    world = World()
    counted = (get_user_model(), Participation, Candidate, CertificationCourse, SessionDocument, Report, Invitation)
    before = [model.objects.count() for model in counted]
    statuses = observed_statuses(world)
    missing = sorted(set(statuses) - set(MATRIX))
    for name in missing:
        print(f'    "{name}": {tuple(statuses[name])},')
    assert not missing, f"URL sans entrée dans MATRIX : {missing}"
    wrong = {name: (MATRIX[name], tuple(got)) for name, got in statuses.items() if tuple(got) != MATRIX[name]}
    assert wrong == {}, "\n".join(
        f"{name}: attendu {expected}, obtenu {got}" for name, (expected, got) in wrong.items()
    )
    assert [model.objects.count() for model in counted] == before  # a GET creates nothing
