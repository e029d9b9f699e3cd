"""The SIECLE parser (orga/pupils/siecle.py) fuzzed: whatever the bytes, it answers a `ParseResult` or refuses
with `SiecleFileError` and French sentences, never another exception; what it accepts fits the database's
columns, and an accepted file is stored whole or not at all."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from orga.models import Division, Pupil
from orga.pupils.importing import apply_pupils
from orga.pupils.siecle import ParseResult, SiecleFileError, parse_pupils_file
from orga.pupils.siecle_sample import SamplePupil, agricultural_csv, generated_pupils, siecle_xml, siecle_zip
from tests.factories import SchoolFactory

from .strategies import HOSTILE_SAMPLES, hostile_text, mutated, short_hostile_text

UAI = "0751234J"
VALID_XML = siecle_xml(UAI, generated_pupils(6, 2))
VALID_CSV = agricultural_csv(generated_pupils(6, 2))

valid_ine = st.one_of(st.from_regex(r"\A[0-9]{10}[A-Z]\Z"), st.from_regex(r"\A[0-9]{9}[A-Z]{2}\Z"))
birthdates = st.dates(datetime.date(2000, 1, 1), datetime.date(2020, 12, 31))
# What an XML export can carry (no control characters), never blank: formulas, markup, emoji, 300 characters...
printable = st.characters(blacklist_categories=("Cs", "Cc"))
name = st.one_of(
    st.sampled_from([s for s in HOSTILE_SAMPLES if s.strip() and s.isprintable()]),
    st.text(alphabet=printable, min_size=1, max_size=120).filter(lambda text: text.strip()),
)
# A pupil as SIECLE writes one, whose names, class, MEF and status are anything at all: most are accepted.
plausible_pupils = st.builds(
    SamplePupil,
    ine=valid_ine,
    last_name=name,
    first_name=name,
    middle_name=st.one_of(st.just(""), name),
    birthdate=birthdates,
    sex=st.sampled_from(["M", "F"]),
    division=st.one_of(st.sampled_from(["3e A", "6e B", "2NDE 4"]), name),
    mef_code=st.sampled_from(["10310019110", "10010012110", ""]),
    preferred_last_name=st.one_of(st.just(""), name),
    third_name=st.one_of(st.just(""), name),
    status=st.sampled_from(["ST", "AP"]),
)
# A pupil whose every field may be wrong: identifiers, dates, codes.
odd_pupils = st.builds(
    SamplePupil,
    ine=st.one_of(valid_ine, short_hostile_text, st.none()),
    last_name=hostile_text,
    first_name=hostile_text,
    middle_name=hostile_text,
    birthdate=st.dates(datetime.date(1900, 1, 1), datetime.date(2030, 12, 31)),
    sex=st.sampled_from(["M", "F", ""]),
    division=st.one_of(st.sampled_from(["3e A", ""]), short_hostile_text),
    mef_code=short_hostile_text,
    birth_country_code=st.one_of(st.sampled_from(["100", "132", "", "99100", "1000"]), short_hostile_text),
    birth_department_code=st.one_of(st.sampled_from(["075", "2A", ""]), short_hostile_text),
    birth_city_code=st.one_of(st.sampled_from(["75056", ""]), short_hostile_text),
    birth_city=hostile_text,
    status=short_hostile_text,
    raw_birthdate=st.one_of(
        st.none(), st.sampled_from(["", "31/02/2012", "2012-03-04", "00/00/0000"]), short_hostile_text
    ),
    sex_code=st.one_of(st.sampled_from(["", "1", "2", "3"]), short_hostile_text),
)
pupils = st.one_of(plausible_pupils, plausible_pupils, plausible_pupils, odd_pupils)


def parse_or_refuse(data, filename="ElevesSansAdresses.xml", **options):
    try:
        result = parse_pupils_file(data, filename, **options)
    except SiecleFileError as error:
        assert error.messages and all(isinstance(m, str) and m.strip() for m in error.messages)
        assert error.count >= 1
        return None
    assert isinstance(result, ParseResult)
    return result


def assert_fits_the_database(result):
    limits = {field.name: field.max_length for field in Pupil._meta.fields if getattr(field, "max_length", None)}
    division_limit = Division._meta.get_field("name").max_length
    for student in result.students:
        for name, limit in limits.items():
            value = getattr(student, name, None)
            if isinstance(value, str):
                assert len(value) <= limit, (name, value)
                assert "\x00" not in value, name  # PostgreSQL refuses NUL in text
        assert 0 < len(student.division) <= division_limit
        assert student.ine
        assert isinstance(student.birthdate, datetime.date)


@given(st.binary(max_size=2000))
def test_any_bytes_are_parsed_or_refused(data):
    parse_or_refuse(data)
    parse_or_refuse(data, filename="eleves.csv")


@given(mutated(VALID_XML))
def test_a_damaged_export_is_parsed_or_refused(data):
    result = parse_or_refuse(data, expected_uai=UAI)
    if result:
        assert_fits_the_database(result)


@given(mutated(siecle_zip(VALID_XML)))
def test_a_damaged_zip_is_parsed_or_refused(data):
    parse_or_refuse(data, filename="export.zip", expected_uai=UAI)


@given(mutated(VALID_CSV))
def test_a_damaged_agricultural_csv_is_parsed_or_refused(data):
    result = parse_or_refuse(data, filename="eleves.csv", agricultural=True)
    if result:
        assert_fits_the_database(result)


@given(
    st.lists(pupils, min_size=1, max_size=6, unique_by=lambda pupil: pupil.ine),
    st.sampled_from(["ISO-8859-15", "UTF-8"]),
)
def test_hostile_pupils_in_an_export_are_parsed_or_refused_and_fit(people, encoding):
    result = parse_or_refuse(siecle_xml(UAI, people, encoding=encoding), expected_uai=UAI)
    if result:
        assert_fits_the_database(result)


@given(st.lists(pupils, min_size=1, max_size=6, unique_by=lambda pupil: pupil.ine))
def test_hostile_pupils_in_an_agricultural_csv_are_parsed_or_refused_and_fit(people):
    result = parse_or_refuse(agricultural_csv(people), filename="eleves.csv", agricultural=True)
    if result:
        assert_fits_the_database(result)


@pytest.mark.django_db
class TestAcceptedFilesAreStoredWhole(TestCase):
    """Each example runs in its own transaction: a file the parser accepted is stored, every pupil of it."""

    @given(st.lists(pupils, min_size=1, max_size=5, unique_by=lambda pupil: pupil.ine), st.booleans())
    def test_an_accepted_file_is_stored_whole(self, people, agricultural):
        data = agricultural_csv(people) if agricultural else siecle_xml(UAI, people)
        result = parse_or_refuse(data, filename="eleves.csv" if agricultural else "export.xml", expected_uai=UAI)
        if not result:
            return
        school = SchoolFactory(uai=UAI)
        apply_pupils(school, result)
        stored = set(Pupil.objects.filter(school=school).values_list("ine", "last_name", "first_name"))
        assert stored == {(s.ine, s.last_name, s.first_name) for s in result.students}
