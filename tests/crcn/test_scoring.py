import pytest

from crcn import scoring


@pytest.mark.parametrize(
    ("pix", "level"),
    [(0, 0), (7, 0), (7.99, 0), (8, 1), (15, 1), (16, 2), (39, 4), (40, 5), (41, 5), (640, 5)],
)
def test_level_from_pix_with_default_max_level(pix, level):
    assert scoring.level_from_pix(pix) == level


@pytest.mark.parametrize(("pix", "level"), [(39, 4), (40, 5), (56, 7), (63, 7), (64, 8), (1024, 8)])
def test_level_from_pix_with_max_level_8(pix, level):
    assert scoring.level_from_pix(pix, max_level=8) == level


def test_level_from_negative_pix_is_refused():
    with pytest.raises(ValueError):
        scoring.level_from_pix(-1)


@pytest.mark.parametrize(("max_level", "per_competence", "total"), [(5, 40, 640), (7, 56, 896), (8, 64, 1024)])
def test_maximum_pix(max_level, per_competence, total):
    assert scoring.max_pix_per_competence(max_level) == per_competence
    assert scoring.max_total_pix(max_level) == total


def test_default_maximum_is_640():
    assert scoring.max_total_pix() == 640


@pytest.mark.parametrize("max_level", [0, 9])
def test_max_level_out_of_range_is_refused(max_level):
    with pytest.raises(ValueError):
        scoring.max_pix_per_competence(max_level)


def test_competence_pix_floors_the_sum_of_skills():
    assert scoring.competence_pix([2.7, 3.4, 1.8]) == 7  # 7.9 → 7
    assert scoring.competence_pix([]) == 0


def test_competence_pix_is_capped_by_max_level():
    assert scoring.competence_pix([8] * 6) == 40
    assert scoring.competence_pix([8] * 6, max_level=8) == 48
    assert scoring.competence_pix([8] * 9, max_level=8) == 64


def test_pix_to_next_level():
    assert scoring.pix_to_next_level(0) == 8
    assert scoring.pix_to_next_level(7) == 1
    assert scoring.pix_to_next_level(8) == 8
    assert scoring.pix_to_next_level(40) == 0


def test_certifiable_needs_level_1_in_five_competences():
    assert scoring.is_certifiable([1, 1, 1, 1, 1] + [0] * 11)
    assert not scoring.is_certifiable([1, 1, 1, 1] + [0] * 12)
    assert scoring.is_certifiable([5, 0, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert not scoring.is_certifiable([5, 0, 3, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert not scoring.is_certifiable([])


@pytest.mark.parametrize(
    ("score", "level", "label"),
    [
        (0, 0, "-"),
        (63, 0, "-"),
        (64, 1, "Novice 1"),
        (127, 1, "Novice 1"),
        (128, 2, "Novice 2"),
        (255, 2, "Novice 2"),
        (256, 3, "Indépendant 1"),
        (384, 4, "Indépendant 2"),
        (511, 4, "Indépendant 2"),
        (512, 5, "Avancé 1"),
        (640, 6, "Avancé 2"),
        (768, 7, "Expert 1"),
        (895, 7, "Expert 1"),
        (896, 8, "Expert 2"),
        (1023, 8, "Expert 2"),
        (1024, 8, "Expert 2"),
    ],
)
def test_certification_bands_with_every_level_open(score, level, label):
    assert scoring.certification_level(score, max_level=8) == (level, label)


@pytest.mark.parametrize(
    ("score", "max_level", "level", "label"),
    [
        (1024, 7, 7, "Expert 1"),
        (896, 7, 7, "Expert 1"),
        (895, 7, 7, "Expert 1"),
        (767, 7, 6, "Avancé 2"),
        (640, 5, 5, "Avancé 1"),
        (1024, 5, 5, "Avancé 1"),
        (511, 5, 4, "Indépendant 2"),
        (1024, 1, 1, "Novice 1"),
        (63, 1, 0, "-"),
    ],
)
def test_certification_band_never_exceeds_the_max_level(score, max_level, level, label):
    assert scoring.certification_level(score, max_level) == (level, label)


def test_certification_band_follows_the_default_max_level():
    assert scoring.certification_level(640) == (5, "Avancé 1")
    assert scoring.certification_level(scoring.max_total_pix()) == (scoring.DEFAULT_MAX_REACHABLE_LEVEL, "Avancé 1")


@pytest.mark.parametrize("max_level", [0, 9])
def test_certification_band_refuses_a_max_level_out_of_range(max_level):
    with pytest.raises(ValueError):
        scoring.certification_level(100, max_level)
