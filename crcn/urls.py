from django.urls import path

from . import views

app_name = "crcn"
urlpatterns = [path("", views.referentiel, name="referentiel")]
