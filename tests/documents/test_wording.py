"""Counts in French: 0 and 1 in the singular, in code and in every template (a builtin filter)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from documents.wording import count_of
from orga.models import Membership
from tests.factories import DivisionFactory, PupilFactory


def test_count_of_puts_0_and_1_in_the_singular():
    assert [count_of(n, "élève") for n in (0, 1, 2)] == ["0 élève", "1 élève", "2 élèves"]
    assert count_of(3, "élève actif", "élèves actifs") == "3 élèves actifs"


def test_every_template_has_the_filter_without_loading_it():
    template = Template('{{ a|count_of:"élève" }} · {{ b|count_of:"élève coché,élèves cochés" }}')
    assert template.render(Context({"a": 0, "b": 2})) == "0 élève · 2 élèves cochés"


@pytest.mark.django_db
def test_my_classes_says_0_eleve(client_for, school, teacher):
    division = DivisionFactory(school=school, name="4e A")
    PupilFactory(school=school, division=division)
    Membership.objects.get(user=teacher, school=school).divisions.add(division)
    html = client_for(teacher).get(reverse("orga:my_classes", kwargs={"uai": school.uai})).content.decode()
    assert "0 élève sur 1" in html and "0 élèves" not in html
