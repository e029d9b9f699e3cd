"""The livret scolaire's API, mounted at /api/ by pixdeploy/urls.py."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("application/token", views.token, name="token"),
    path("organizations/<str:uai>/certifications", views.organization_certifications, name="certifications"),
    path("openapi.json", views.openapi, name="openapi"),
]
