import pytest

from orga.schools.uai import is_valid_uai, uai_error, uai_key


@pytest.mark.parametrize("uai", ["0751234J", "0693834T", "0331234M", " 0751234j "])
def test_valid_uai(uai):
    assert is_valid_uai(uai)
    assert uai_error(uai) is None


def test_key_is_the_remainder_mod_23():
    assert uai_key("0000000") == "A"
    assert uai_key("0000022") == "Z"
    assert uai_key("0000023") == "A"


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0751234K", "clé incorrecte : la lettre attendue après 0751234 est J"),
        ("075123J", "7 chiffres suivis d'une lettre"),
        ("", "7 chiffres suivis d'une lettre"),
        ("ABCDEFGH", "7 chiffres suivis d'une lettre"),
        ("０７５１２３４J", "7 chiffres suivis d'une lettre"),  # full-width digits
        ("٠٧٥١٢٣٤J", "7 chiffres suivis d'une lettre"),  # Arabic-Indic digits
        ("075\x001234J", "7 chiffres suivis d'une lettre"),
    ],
)
def test_invalid_uai_gets_a_french_message(uai, message):
    assert not is_valid_uai(uai)
    assert message in uai_error(uai)
