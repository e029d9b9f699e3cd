"""allauth's OpenID Connect paths and names (…/oidc/<provider_id>/login/ and …/login/callback/), strict views."""

from django.urls import include, path

from .provider import callback, login

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", login, name="openid_connect_login"),
                path("login/callback/", callback, name="openid_connect_callback"),
            ]
        ),
    )
]
