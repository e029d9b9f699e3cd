from django.urls import include, path

from .views import imports, invitations, members, pupils

app_name = "orga"

school_patterns = [
    # Members and invitations
    path("membres/", members.member_list, name="members"),
    path("membres/inviter/", invitations.invite, name="invite"),
    path("membres/invitations/<int:invitation_id>/renvoyer/", invitations.resend, name="invitation_resend"),
    path("membres/invitations/<int:invitation_id>/annuler/", invitations.cancel, name="invitation_cancel"),
    path("membres/<int:membership_id>/role/", members.change_role, name="member_role"),
    path("membres/<int:membership_id>/retirer/", members.remove, name="member_remove"),
    # SIECLE imports
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    # Classes and pupils
    path("eleves/", pupils.pupil_list, name="pupils"),
    path("eleves/<int:pupil_id>/", pupils.pupil_detail, name="pupil_detail"),
    path("classes/", pupils.division_list, name="divisions"),
    path("classes/<int:division_id>/comptes/", pupils.division_accounts, name="division_accounts"),
    path("classes/<int:division_id>/identifiants.<str:fmt>", pupils.credentials_file, name="credentials_file"),
]

urlpatterns = [
    path("invitation/<str:token>/", invitations.accept, name="invitation_accept"),
    path("etablissements/<str:uai>/", include(school_patterns)),
]
