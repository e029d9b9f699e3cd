from django.urls import include, path

from .candidates.views import enrolment
from .course.views import test
from .documents.views import documents
from .finalisation.views import finalisation
from .handover.views import attestations, exports, verify
from .invigilation.views import arrival, invigilator
from .pix_imports import views as pix_imports
from .results.views import results
from .sessions.views import sessions, surveillance

app_name = "certif"

school_patterns = [
    path("", sessions.session_list, name="sessions"),
    path("calendrier/", sessions.session_calendar, name="calendar"),
    path("surveillance/", surveillance.surveillance, name="surveillance"),
    path("nouvelle/", sessions.session_create, name="session_create"),
    path("fenetre/", sessions.window_warning, name="window_warning"),
    path("<int:session_id>/", sessions.session_detail, name="session_detail"),
    path("<int:session_id>/modifier/", sessions.session_edit, name="session_edit"),
    path("<int:session_id>/supprimer/", sessions.session_delete, name="session_delete"),
    path("<int:session_id>/documents/<slug:kind>.pdf", documents.session_document, name="session_document"),
    path("<int:session_id>/documents/<slug:kind>/", documents.document_page, name="session_document_page"),
    path("<int:session_id>/documents/<slug:kind>/preparer/", documents.document_start, name="session_document_start"),
    path(
        "<int:session_id>/documents/fichiers/<int:job_id>.pdf",
        documents.document_download,
        name="session_document_download",
    ),
    path(
        "<int:session_id>/documents/fichiers/<int:job_id>/relancer/",
        documents.document_rescue,
        {"action": "retry"},
        name="session_document_retry",
    ),
    path(
        "<int:session_id>/documents/fichiers/<int:job_id>/abandonner/",
        documents.document_rescue,
        {"action": "discard"},
        name="session_document_discard",
    ),
    path("<int:session_id>/inscrire/", enrolment.enrolment, name="enrolment"),
    path("candidats/<int:candidate_id>/temps-majore/", enrolment.candidate_extra_time, name="candidate_extra_time"),
    path("candidats/<int:candidate_id>/retirer/", enrolment.candidate_remove, name="candidate_remove"),
    path("<int:session_id>/finaliser/", finalisation.finalise_session, name="finalise"),
    path("<int:session_id>/pv-session.pdf", finalisation.session_pv, name="session_pv"),
    path("candidats/<int:candidate_id>/signalements/", finalisation.issue_report_add, name="issue_report_add"),
    path("signalements/<int:report_id>/supprimer/", finalisation.issue_report_remove, name="issue_report_remove"),
    path("<int:session_id>/resultats/", results.session_results, name="session_results"),
    path("<int:session_id>/resultats/calculer/", results.session_results_compute, name="session_results_compute"),
    path("<int:session_id>/resultats/publier/", results.session_results_publish, name="session_results_publish"),
    path("<int:session_id>/resultats/session.csv", results.session_results_csv, name="session_results_csv"),
    path("<int:session_id>/resultats/classe.csv", results.division_results_csv, name="division_results_csv"),
    path("resultats/<int:result_id>/commentaire/", results.result_comment, name="result_comment"),
    path("resultats/classes/", results.results_by_class, name="results_by_class"),
    path("imports-pix/", pix_imports.session_import_list, name="pix_imports"),
    path("imports-pix/<int:import_id>/", pix_imports.session_import_detail, name="pix_import_detail"),
    path("imports-pix/<int:import_id>/confirmer/", pix_imports.session_import_confirm, name="pix_import_confirm"),
    path(
        "imports-pix/<int:import_id>/relancer/",
        pix_imports.session_import_rescue,
        {"action": "retry"},
        name="pix_import_retry",
    ),
    path(
        "imports-pix/<int:import_id>/abandonner/",
        pix_imports.session_import_rescue,
        {"action": "discard"},
        name="pix_import_discard",
    ),
    path("resultats/classes/export.<slug:extension>", exports.class_export, name="class_export"),
    path("resultats/classes/attestations.pdf", attestations.class_attestations, name="class_attestations"),
    path("resultats/<int:result_id>/attestation.pdf", attestations.pupil_attestation, name="pupil_attestation"),
]

urlpatterns = [
    path("etablissements/<str:uai>/certification/", include(school_patterns)),
    path("certification/", arrival.enter_access_code, name="arrival"),
    path("verifier/", verify.verify_form, name="verify_form"),
    path("verifier/<str:code>/", verify.verify, name="verify"),
    path("certification/candidat/<int:candidate_id>/identite/", arrival.confirm_identity, name="arrival_identity"),
    path("certification/candidat/<int:candidate_id>/attente/", arrival.waiting, name="arrival_waiting"),
    path("certification/candidat/<int:candidate_id>/test/", test.test, name="test"),
    path("certification/candidat/<int:candidate_id>/test/repondre/", test.answer, name="test_answer"),
    path("certification/candidat/<int:candidate_id>/test/signaler/", test.report, name="test_report"),
    path("certification/candidat/<int:candidate_id>/test/fin/", test.end, name="test_end"),
    path("certification/mes-resultats/", results.my_results, name="my_results"),
    path(
        "certification/mes-resultats/<int:candidate_id>/attestation.pdf",
        attestations.my_attestation,
        name="my_attestation",
    ),
    path("certification/surveillant/", invigilator.sign_in, name="invigilator_sign_in"),
    path("certification/surveillant/session/", invigilator.live, name="invigilation"),
    path(
        "certification/surveillant/candidats/<int:candidate_id>/presence/",
        invigilator.confirm_presence,
        name="confirm_presence",
    ),
    path(
        "certification/surveillant/candidats/<int:candidate_id>/annuler/",
        invigilator.cancel_presence,
        name="cancel_presence",
    ),
    path(
        "certification/surveillant/candidats/<int:candidate_id>/reprise/",
        invigilator.authorise_resume,
        name="authorise_resume",
    ),
    path("certification/surveillant/candidats/<int:candidate_id>/terminer/", invigilator.end_test, name="end_test"),
    path(
        "certification/surveillant/signalements/<int:alert_id>/",
        invigilator.handle_problem,
        name="handle_problem",
    ),
    path("certification/surveillant/sortir/", invigilator.sign_out, name="invigilator_sign_out"),
]
