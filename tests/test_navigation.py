"""The header's navigation marks the item of the page's section as current (aria-current), one at most."""

import re

import pytest
from django.urls import reverse

from tests.factories import DivisionFactory


def current_items(html):
    nav = html[html.index('id="navigation-principale"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'aria-current="page">([^<]+)<', nav)


@pytest.mark.django_db
def test_the_current_item_is_the_pages_section(client_for, school, school_admin):
    division = DivisionFactory(school=school, name="3e A")
    client = client_for(school_admin)
    of_class = {"uai": school.uai, "division_id": division.id}
    expected = {
        reverse("orga:class_progress", kwargs=of_class): ["Mes classes"],
        reverse("orga:my_classes", kwargs={"uai": school.uai}): ["Mes classes"],
        reverse("orga:divisions", kwargs={"uai": school.uai}): ["Comptes élèves"],
        reverse("orga:division_accounts", kwargs=of_class): ["Comptes élèves"],
        reverse("orga:pupils", kwargs={"uai": school.uai}): ["Élèves"],
        reverse("orga:campaigns", kwargs={"uai": school.uai}): ["Campagnes"],
        reverse("home"): ["Accueil"],
    }
    found = {url: current_items(client.get(url).content.decode()) for url in expected}
    assert found == expected
