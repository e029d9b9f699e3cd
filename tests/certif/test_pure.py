"""The Django-free cores: the session's codes and the surveillance plan."""

import datetime
import random
import re

from certif.sessions import codes, planning


def test_access_code_is_four_consonants_and_two_digits():
    rng = random.Random(7)
    for _ in range(500):
        code = codes.access_code(rng)
        assert re.fullmatch(r"[BCDFGHJKMNPQRSTVWXZ]{4}[2-9]{2}", code)
        assert codes.is_access_code(code)
    assert not codes.is_access_code("ABCD12")
    assert not codes.is_access_code("BCDF1")


def test_password_and_number_formats():
    rng = random.Random(3)
    password = codes.invigilator_password(rng)
    assert len(password) == 6 and set(password) <= set(codes.PASSWORD_ALPHABET)
    assert 100_000 <= codes.session_number(rng) <= 999_999


def at(hour, minute=0, day=8):
    return datetime.datetime(2027, 4, day, hour, minute)


def test_a_person_in_two_rooms_at_overlapping_times_is_flagged():
    duties = planning.plan(
        [
            (1, at(9), at(10, 45), "Salle A", [("compte-1", "Mme Roy"), ("nom-m. petit", "M. Petit")]),
            (2, at(10, 30), at(12, 15), "Salle B", [("compte-1", "Mme Roy")]),
            (3, at(10, 45), at(12, 30), "Salle C", [("nom-m. petit", "M. Petit")]),  # back to back: fine
            (
                4,
                at(9),
                at(10, 45),
                "Salle D",
                [("nom-m. petit", "M. Petit")],
            ),
        ]
    )
    by_name = {duty.name: duty for duty in duties}
    roy, petit = by_name["Mme Roy"], by_name["M. Petit"]
    assert roy.has_clash and [slot.clashes for slot in roy.slots] == [[2], [1]]
    assert petit.has_clash
    assert {slot.session_id: slot.clashes for slot in petit.slots} == {1: [4], 4: [1], 3: []}


def test_no_clash_on_different_days_and_names_folded():
    duties = planning.plan(
        [
            (1, at(9), at(10, 45), "", [("a", "Zoé")]),
            (2, at(9, day=9), at(10, 45, day=9), "", [("a", "Zoé")]),
        ]
    )
    assert len(duties) == 1 and not duties[0].has_clash
    assert planning.person_key("  Mme   DUPONT ") == planning.person_key("mme dupont")
