from django.contrib import admin
from django.urls import include, path

from . import academie_views, digest_views, privacy_views, school_year_views, views

admin.site.site_header = "pixdeploy — administration"
admin.site.site_title = "pixdeploy"
handler500 = views.server_error
admin.site.login = views.admin_login  # through the one sign-in page and its limits

urlpatterns = [
    path("", views.home, name="home"),
    path("referentiel/", include("crcn.urls")),
    path("comptes/", include("allauth.urls")),
    path("", include("orga.urls")),
    path("", include("certif.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("certif.handover.api.urls")),
    path("etablissements/<str:uai>/check-list/<str:key>/", views.checklist_tick, name="checklist_tick"),
    path("etablissements/<str:uai>/annees/", school_year_views.school_year_list, name="school_years"),
    path("etablissements/<str:uai>/annees/cloturer/", school_year_views.close_school_year, name="close_school_year"),
    path(
        "etablissements/<str:uai>/eleves/<int:pupil_id>/donnees.zip",
        privacy_views.pupil_data_export,
        name="pupil_data_export",
    ),
    path("etablissements/<str:uai>/eleves/<int:pupil_id>/effacer/", privacy_views.pupil_erase, name="pupil_erase"),
    path("compte/courriels/", digest_views.email_preferences, name="email_preferences"),
    path("courriels/desabonnement/<str:token>/", digest_views.digest_unsubscribe, name="digest_unsubscribe"),
    path("etat/", views.service_status, name="service_status"),
    path("sante/pile/", views.stack_check, name="stack_check"),
    path("academie/", academie_views.academie_view, name="academie"),
    path("academie/recalculer/", academie_views.academie_recompute, name="academie_recompute"),
    path("academie/calculs/<int:job_id>/", academie_views.academie_job_status, name="academie_job"),
    path(
        "academie/calculs/<int:job_id>/<str:action>/",
        academie_views.academie_job_rescue,
        name="academie_job_rescue",
    ),
    path("academie/export.<str:file_format>", academie_views.academie_export, name="academie_export"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", privacy_views.personal_data, name="personal_data"),
]
