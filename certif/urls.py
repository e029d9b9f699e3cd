from django.urls import include, path

from .candidates.views import enrolment
from .documents.views import documents
from .finalisation.views import finalisation
from .invigilation.views import arrival, invigilator
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
    path("<int:session_id>/inscrire/", enrolment.enrolment, name="enrolment"),
    path("candidats/<int:candidate_id>/temps-majore/", enrolment.candidate_extra_time, name="candidate_extra_time"),
    path("candidats/<int:candidate_id>/retirer/", enrolment.candidate_remove, name="candidate_remove"),
    path("<int:session_id>/finaliser/", finalisation.finalise_session, name="finalise"),
    path("<int:session_id>/pv-session.pdf", finalisation.session_pv, name="session_pv"),
    path("candidats/<int:candidate_id>/signalements/", finalisation.issue_report_add, name="issue_report_add"),
    path("signalements/<int:report_id>/supprimer/", finalisation.issue_report_remove, name="issue_report_remove"),
]

urlpatterns = [
    path("etablissements/<str:uai>/certification/", include(school_patterns)),
    path("certification/", arrival.enter_access_code, name="arrival"),
    path("certification/candidat/<int:candidate_id>/identite/", arrival.confirm_identity, name="arrival_identity"),
    path("certification/candidat/<int:candidate_id>/attente/", arrival.waiting, name="arrival_waiting"),
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
    path("certification/surveillant/sortir/", invigilator.sign_out, name="invigilator_sign_out"),
]
