"""The certification results CSV, byte for byte as Pix Certif writes it (certif/results/csv_format.py)."""

import dataclasses
import datetime

import pytest

from certif.results import csv_format
from certif.results.csv_format import CertificationRow

HEADER_START = (
    '"Numéro de certification";"Prénom";"Nom";"Date de naissance";"Lieu de naissance";"Identifiant Externe";'
    '"Type de certification";"Statut";"Niveau";"Score en Pix";"1.1";"1.2";"1.3";"2.1";"2.2";"2.3";"2.4";'
    '"3.1";"3.2";"3.3";"3.4";"4.1";"4.2";"4.3";"5.1";"5.2";"Commentaire jury pour l\u2019organisation";"Session";'
)
SESSION_HEADER = HEADER_START + '"Centre de certification";"Date de passage de la certification"'
DIVISION_HEADER = HEADER_START + '"Date de passage de la certification"'
DASHES_14 = ";".join(['"-"'] * 14)
DASHES_16 = ";".join(['"-"'] * 16)


def row(**changes):
    values = {
        "certification_number": 123,
        "first_name": "Lili",
        "last_name": "Oxford",
        "birth_date": datetime.date(1990, 1, 4),
        "birth_place": "Torreilles",
        "external_id": "LOLORD",
        "status": csv_format.VALIDATED,
        "level_band": None,
        "pix_score": 55,
        "competence_levels": {"1.1": 0, "1.2": 1, "1.3": 5, "5.1": 0, "5.2": -1},
        "comment_for_organisation": "RAS",
        "session_number": 777,
        "taken_on": datetime.date(2020, 1, 1),
    }
    values.update(changes)
    return CertificationRow(**values)


def test_validated_candidate_byte_exact():
    text = csv_format.session_results_csv([row()], centre="CentreCertif")
    assert text == (
        "\ufeff" + SESSION_HEADER + "\n"
        '123;"Lili";"Oxford";"04/01/1990";"Torreilles";"LOLORD";"Pix";"Validée";"-";55;0;1;5;'
        + ";".join(['"-"'] * 11)
        + ';0;0;"RAS";777;"CentreCertif";"01/01/2020"'
    )
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert not text.endswith("\n")


def test_rejected_candidate_scores_zero_and_no_competence():
    rejected = row(
        certification_number=456,
        first_name="Tom",
        last_name="Cambridge",
        birth_date=datetime.date(1993, 5, 21),
        status=csv_format.REJECTED,
        pix_score=66,
        competence_levels={"5.1": 3, "5.2": -1},
        comment_for_organisation="Trop peu de réponses",
        taken_on=datetime.date(2020, 2, 2),
    )
    assert csv_format.session_results_csv([rejected], centre="CentreCertif") == (
        "\ufeff" + SESSION_HEADER + "\n"
        '456;"Tom";"Cambridge";"21/05/1993";"Torreilles";"LOLORD";"Pix";"Non obtenue";"-";0;'
        + DASHES_16
        + ';"Trop peu de réponses";777;"CentreCertif";"02/02/2020"'
    )


@pytest.mark.parametrize(("status", "label"), [(csv_format.CANCELLED, "Annulée"), (csv_format.ERROR, "En erreur")])
def test_cancelled_or_failed_candidate_is_all_dashes(status, label):
    cancelled = row(status=status, level_band="Novice 2", competence_levels={"5.1": 3, "5.2": -1})
    assert csv_format.session_results_csv([cancelled], centre="CentreCertif") == (
        "\ufeff" + SESSION_HEADER + "\n"
        f'123;"Lili";"Oxford";"04/01/1990";"Torreilles";"LOLORD";"Pix";"{label}";"-";"-";'
        + DASHES_16
        + ';"RAS";777;"CentreCertif";"01/01/2020"'
    )


def test_several_rows_are_joined_by_newlines_without_a_trailing_one():
    text = csv_format.session_results_csv([row(), row(certification_number=124)], centre="C")
    lines = text.split("\n")
    assert len(lines) == 3
    assert lines[1].startswith("123;") and lines[2].startswith("124;")
    assert csv_format.session_results_csv([], centre="C") == "\ufeff" + SESSION_HEADER


def test_division_file_is_the_session_file_without_the_centre():
    text = csv_format.division_results_csv([row(level_band="Indépendant 1", pix_score=15)])
    assert text == (
        "\ufeff" + DIVISION_HEADER + "\n"
        '123;"Lili";"Oxford";"04/01/1990";"Torreilles";"LOLORD";"Pix";"Validée";"Indépendant 1";15;0;1;5;'
        + ";".join(['"-"'] * 11)
        + ';0;0;"RAS";777;"01/01/2020"'
    )


def test_competence_levels_negative_zero_missing():
    levels = dict.fromkeys(csv_format.COMPETENCE_CODES)
    levels.update({"1.1": -1, "1.2": 0, "2.1": 6})
    cells = csv_format.division_results_csv([row(competence_levels=levels)]).split("\n")[1].split(";")
    competences = cells[10:26]
    assert competences == ["0", "0", '"-"', "6"] + ['"-"'] * 12


def test_level_bands_are_written_only_when_validated():
    assert '"Validée";"Expert 2";40;' in csv_format.division_results_csv([row(level_band="Expert 2", pix_score=40)])
    assert '"Validée";"-";3;' in csv_format.division_results_csv([row(level_band=None, pix_score=3)])
    rejected = row(status=csv_format.REJECTED, level_band="Novice 1")
    assert '"Non obtenue";"-";0;' in csv_format.division_results_csv([rejected])


def test_hostile_text_is_defused_and_quotes_doubled():
    hostile = row(
        first_name='=HYPERLINK("http://x")',
        last_name="+1",
        birth_place="-Paris",
        external_id="@INE",
        comment_for_organisation='\tdit "bonjour"',
    )
    text = csv_format.session_results_csv([hostile], centre="=CMD()")
    line = text.split("\n")[1]
    assert line == (
        '123;"\'=HYPERLINK(""http://x"")";"\'+1";"04/01/1990";"\'-Paris";"\'@INE";"Pix";"Validée";"-";55;0;1;5;'
        + ";".join(['"-"'] * 11)
        + ';0;0;"\'\tdit ""bonjour""";777;"\'=CMD()";"01/01/2020"'
    )


def test_missing_text_is_an_empty_cell():
    line = csv_format.division_results_csv([row(birth_place=None, external_id=None, comment_for_organisation=None)])
    assert line.split("\n")[1].startswith('123;"Lili";"Oxford";"04/01/1990";;;"Pix";')
    assert ';0;0;;777;"01/01/2020"' in line


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="statut de certification inconnu"):
        csv_format.division_results_csv([row(status="started")])


def test_rows_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        row().pix_score = 1


def test_session_file_name():
    starts_at = datetime.datetime(2021, 1, 1, 14, 30)
    assert csv_format.session_results_filename(777, starts_at) == "20210101_1430_resultats_session_777.csv"


@pytest.mark.parametrize(
    ("division", "expected"),
    [
        ("3èmeA", "20190101_resultats_3èmeA.csv"),
        ("3e B", "20190101_resultats_3e B.csv"),
        ('../"3e";\r\nC', "20190101_resultats_3e--C.csv"),
        ("", "20190101_resultats_classe.csv"),
    ],
)
def test_division_file_name_is_safe(division, expected):
    assert csv_format.division_results_filename(division, datetime.date(2019, 1, 1)) == expected
