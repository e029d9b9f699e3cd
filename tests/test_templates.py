import pytest
from django.template import engines


def test_an_unknown_template_variable_fails_the_test():
    with pytest.raises(AssertionError, match="Variable de gabarit inconnue"):
        engines["django"].from_string("{{ school.nom_inconnu }}").render({"school": object()})
