from django.urls import include, path

from .campaigns.views import campaigns, journey
from .classes.views import classes, pupil_page, resources
from .pix_imports import views as pix_imports
from .pupils.views import ent, imports, pupils
from .results.views import campaign_results, exports
from .schools.views import invitations, journal, members

app_name = "orga"

school_patterns = [
    # Members and invitations
    path("membres/", members.member_list, name="members"),
    path("membres/inviter/", invitations.invite, name="invite"),
    path("membres/invitations/<int:invitation_id>/renvoyer/", invitations.resend, name="invitation_resend"),
    path("membres/invitations/<int:invitation_id>/annuler/", invitations.cancel, name="invitation_cancel"),
    path(
        "membres/invitations/<int:invitation_id>/confirmer/",
        invitations.answer_acceptance,
        {"confirmed": True},
        name="invitation_confirm",
    ),
    path(
        "membres/invitations/<int:invitation_id>/refuser/",
        invitations.answer_acceptance,
        {"confirmed": False},
        name="invitation_refuse",
    ),
    path("membres/<int:membership_id>/role/", members.change_role, name="member_role"),
    path("membres/<int:membership_id>/retirer/", members.remove, name="member_remove"),
    path("membres/<int:membership_id>/classes/", members.assign_classes, name="member_classes"),
    path("parametres/", members.school_settings, name="school_settings"),
    # The journal of sensitive actions
    path("journal/", journal.journal_page, name="journal"),
    path("journal/export.csv", journal.journal_csv, name="journal_csv"),
    # SIECLE imports
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:import_id>/relancer/", imports.import_rescue, {"action": "retry"}, name="import_retry"),
    path("imports/<int:import_id>/abandonner/", imports.import_rescue, {"action": "discard"}, name="import_discard"),
    # Campaigns
    # Results brought in from pix.fr
    path("imports-pix/", pix_imports.campaign_import_list, name="pix_imports"),
    path("imports-pix/<int:import_id>/", pix_imports.campaign_import_detail, name="pix_import_detail"),
    path("imports-pix/<int:import_id>/confirmer/", pix_imports.campaign_import_confirm, name="pix_import_confirm"),
    path(
        "imports-pix/<int:import_id>/relancer/",
        pix_imports.campaign_import_rescue,
        {"action": "retry"},
        name="pix_import_retry",
    ),
    path(
        "imports-pix/<int:import_id>/abandonner/",
        pix_imports.campaign_import_rescue,
        {"action": "discard"},
        name="pix_import_discard",
    ),
    path("campagnes/", campaigns.campaign_list, name="campaigns"),
    path("campagnes/nouvelle/", campaigns.campaign_create, name="campaign_create"),
    path("campagnes/<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:campaign_id>/activite/", campaign_results.activity_tab, name="campaign_activity"),
    path("campagnes/<int:campaign_id>/resultats/", campaign_results.results_tab, name="campaign_results"),
    path("campagnes/<int:campaign_id>/analyse/", campaign_results.analysis_tab, name="campaign_analysis"),
    path("campagnes/<int:campaign_id>/modifier/", campaigns.campaign_edit, name="campaign_edit"),
    path("campagnes/<int:campaign_id>/archiver/", campaigns.campaign_archive, name="campaign_archive"),
    path("campagnes/<int:campaign_id>/consignes.pdf", campaigns.instruction_sheet, name="campaign_sheet"),
    path(
        "campagnes/<int:campaign_id>/lettre-familles/<int:division_id>.pdf",
        campaigns.guardians_letter,
        name="campaign_letter",
    ),
    # Exports (background jobs)
    path("exports/", exports.report_list, name="reports"),
    path("exports/nouveau/", exports.report_create, name="report_create"),
    path("exports/<int:report_id>/", exports.report_detail, name="report_detail"),
    path("exports/<int:report_id>/fichier/", exports.report_download, name="report_download"),
    path("exports/<int:report_id>/relancer/", exports.report_rescue, {"action": "retry"}, name="report_retry"),
    path("exports/<int:report_id>/abandonner/", exports.report_rescue, {"action": "discard"}, name="report_discard"),
    # Classes and pupils
    path("eleves/", pupil_page.pupil_list, name="pupils"),
    path("eleves/<int:pupil_id>/", pupil_page.pupil_detail, name="pupil_detail"),
    path("eleves/<int:pupil_id>/ent/", ent.pupil_ent_link, name="pupil_ent_link"),
    path("eleves/<int:pupil_id>/ent/<int:link_id>/delier/", ent.pupil_ent_unlink, name="pupil_ent_unlink"),
    path("classes/", pupils.division_list, name="divisions"),
    path("classes/<int:division_id>/comptes/", pupils.division_accounts, name="division_accounts"),
    path("classes/<int:division_id>/comptes/reinitialiser/", pupils.reset_confirm, name="reset_confirm"),
    path("classes/<int:division_id>/identifiants.<str:fmt>", pupils.credentials_file, name="credentials_file"),
    path("mes-classes/", classes.my_classes, name="my_classes"),
    path("mes-classes/choisir/", classes.choose_classes, name="choose_classes"),
    path("classes/<int:division_id>/suivi/", classes.class_progress, name="class_progress"),
    path("classes/<int:division_id>/relance.pdf", classes.reminder_sheet, name="class_reminder"),
    path("classes/<int:division_id>/objectif/", classes.class_objective, name="class_objective"),
    path("ressources/", resources.resource_list, name="resources"),
    path("ressources/nouvelle/", resources.resource_create, name="resource_create"),
    path("ressources/<int:resource_id>/supprimer/", resources.resource_delete, name="resource_delete"),
    path("ressources/<int:resource_id>/fichier/", resources.resource_file, name="resource_file"),
]

urlpatterns = [
    path("invitation/<str:token>/", invitations.accept, name="invitation_accept"),
    # The pupil's journey
    path("parcours/", journey.enter_code, name="enter_code"),
    path("parcours/<str:code>/", journey.confirm, name="campaign_confirm"),
    path("participations/<int:participation_id>/", journey.take, name="take"),
    path("participations/<int:participation_id>/reponse/", journey.answer, name="answer"),
    path("participations/<int:participation_id>/resultats/", journey.results, name="results"),
    path("participations/<int:participation_id>/envoyer/", journey.share_results, name="share"),
    path("mon-profil/", journey.my_profile, name="my_profile"),
    path("etablissements/<str:uai>/", include(school_patterns)),
]
