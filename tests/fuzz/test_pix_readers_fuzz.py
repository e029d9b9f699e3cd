"""Pix's export readers (orga/pix_imports/campaign_csv.py, certif/pix_imports/session_csv.py) fuzzed: whatever the
bytes, a file is read or refused with `PixFileError` in French; a row it keeps without an error holds values the
database and the results can take (ratios between 0 and 1, levels and scores in Pix's ranges, names that fit)."""

import datetime

from hypothesis import example, given
from hypothesis import strategies as st

from certif.pix_imports.session_csv import MAX_COMMENT, SessionResults, read_session_results
from orga.pix_imports.campaign_csv import CampaignExport, read_campaign_export
from orga.pix_imports.csv_reading import PixFileError
from tests.pix_exports import TITLES, campaign_csv, certif_csv

from .strategies import hostile_text, mutated, short_hostile_text

COMPETENCE_TITLES = {title: code for code, title in TITLES.items()}
MAX_LEVEL, MAX_PIX = 8, 1024  # 8 levels × 8 pix × 16 competences

ratios = st.one_of(st.none(), st.floats(0, 1), st.floats(allow_nan=True, allow_infinity=True))
participants = st.fixed_dictionaries(
    {"last": hostile_text, "first": hostile_text, "division": short_hostile_text, "shared": st.booleans()},
    optional={"mastery": ratios, "competences": st.dictionaries(st.sampled_from(["1.1", "1.2", "2.1"]), ratios)},
)
candidates = st.fixed_dictionaries(
    {
        "number": st.one_of(st.integers(0, 10**12), st.integers(-5, -1)),
        "first": hostile_text,
        "last": hostile_text,
        "birthdate": st.one_of(
            st.dates(datetime.date(1990, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")), short_hostile_text
        ),
    },
    optional={
        "external_id": short_hostile_text,
        "status": st.one_of(st.sampled_from(["Validée", "Non obtenue", "Annulée", "En erreur"]), short_hostile_text),
        "level": st.one_of(
            st.sampled_from(["-", "Pré-indépendant", "Indépendant", "Avancé", "Expert"]), short_hostile_text
        ),
        "score": st.one_of(st.integers(0, 1024), st.integers(-10, 10**10)),
        "competences": st.dictionaries(st.sampled_from(list(TITLES)), st.integers(-3, 99)),
        "comment": st.one_of(hostile_text, st.text(min_size=490, max_size=520)),
    },
)
VALID_CAMPAIGN = campaign_csv(
    [{"last": "Martin", "first": "Léa", "division": "3e A", "mastery": 0.5, "competences": {"1.1": 0.4}}],
    organisation="Collège Victor-Hugo",
)
VALID_SESSION = certif_csv(
    [
        {
            "number": 1234,
            "first": "Léa",
            "last": "Martin",
            "birthdate": "14/05/2012",
            "score": 300,
            "level": "Indépendant",
        }
    ],
    centre="Collège Victor-Hugo",
)


def read_or_refuse(reader, data):
    try:
        return reader(data)
    except PixFileError as error:
        assert error.messages and all(isinstance(m, str) and m.strip() for m in error.messages)
        return None


def read_campaign(data):
    return read_or_refuse(lambda d: read_campaign_export(d, COMPETENCE_TITLES), data)


def read_session(data):
    return read_or_refuse(lambda d: read_session_results(d, MAX_LEVEL), data)


def assert_campaign_rows_fit(export):
    assert isinstance(export, CampaignExport)
    assert 0 <= export.campaign_id < 10**9 and len(export.name) <= 150 and len(export.code) <= 20
    for row in export.rows:
        if row.error:
            assert isinstance(row.error, str)
            continue
        assert len(row.last_name.strip()) > 0 and len(row.last_name) <= 100 and len(row.first_name) <= 100
        assert len(row.division) <= 50
        for value in (row.progress, row.mastery, *(c.ratio for c in row.competences.values())):
            assert value is None or 0 <= value <= 1, value
        for mastery in row.competences.values():
            for number in (mastery.target_skills, mastery.validated_skills):
                assert number is None or 0 <= number < 2**31, number


def assert_session_rows_fit(results):
    assert isinstance(results, SessionResults)
    for row in results.rows:
        if row.error:
            continue
        assert row.number is not None and 0 < row.number < 2**31
        assert 0 <= row.pix_score <= MAX_PIX, row.pix_score
        assert 0 <= row.level <= MAX_LEVEL
        assert all(0 <= level <= MAX_LEVEL for level in row.competence_levels.values()), row.competence_levels
        assert len(row.comment) <= MAX_COMMENT and len(row.centre) <= 255
        assert 0 < len(row.last_name.strip()) <= 100 and len(row.first_name) <= 100
        assert row.taken_on is not None


@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused(data):
    read_campaign(data)
    read_session(data)


@given(mutated(VALID_CAMPAIGN))
def test_a_damaged_campaign_export_is_read_or_refused(data):
    export = read_campaign(data)
    if export:
        assert_campaign_rows_fit(export)


@given(mutated(VALID_SESSION))
def test_a_damaged_session_file_is_read_or_refused(data):
    results = read_session(data)
    if results:
        assert_session_rows_fit(results)


@given(st.lists(participants, min_size=1, max_size=5), hostile_text, st.integers(-5, 10**12), short_hostile_text)
def test_hostile_participants_are_read_or_refused_and_fit(people, organisation, campaign_id, code):
    export = read_campaign(campaign_csv(people, organisation=organisation, campaign_id=campaign_id, code=code))
    if export:
        assert_campaign_rows_fit(export)


@given(st.lists(candidates, min_size=1, max_size=5), hostile_text, st.integers(-5, 10**12))
# Found by this test: a level of 86 in a competence, a score of 999,999,999 pix, a certification numbered 0 were
# imported as such.
@example([{"number": 0, "first": "A", "last": "B", "birthdate": "01/01/2012"}], "C", 1)
@example([{"number": 7, "first": "A", "last": "B", "birthdate": "01/01/2012", "competences": {"1.1": 86}}], "C", 1)
@example([{"number": 7, "first": "A", "last": "B", "birthdate": "01/01/2012", "score": 999999999}], "C", 1)
def test_hostile_candidates_are_read_or_refused_and_fit(people, centre, session):
    results = read_session(certif_csv(people, centre=centre, session=session))
    if results:
        assert_session_rows_fit(results)
