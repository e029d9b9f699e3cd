"""The results' hand-over: verification codes given at publication, the public verification page."""

import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certif.results import codes, scoring, verification
from certif.results.models import CertificationResult

from .test_results import enrol, session, sit  # noqa: F401  (the fixture `session` too)

pytestmark = pytest.mark.usefixtures("on_4_december_2026")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


# --- The code's format ---------------------------------------------------------------------------------------


def test_a_code_is_p_dash_and_8_characters_of_the_alphabet():
    rng = random.Random(4)
    for _ in range(200):
        code = verification.generate(rng.choice)
        assert len(code) == 10 and code.startswith("P-")
        assert set(code[2:]) <= set(verification.ALPHABET)
        assert verification.is_verification_code(code)
    assert verification.is_verification_code(verification.generate())


@pytest.mark.parametrize(
    "text", ["", None, "P-BC4D7KQ", "P-BC4D7KQXY", "P-BC4D7KQ0", "P-bc4d7kqx", "X-BC4D7KQX", "P-BC4D7KQA", "P-BC4D7KQ5"]
)
def test_malformed_codes_are_refused(text):
    assert not verification.is_verification_code(text)


def test_typed_codes_are_normalised():
    assert verification.normalise(" p-bc4d 7kqx ") == "P-BC4D7KQX"
    assert verification.normalise("pbc4d7kqx") == "P-BC4D7KQX"


# --- Codes at publication -------------------------------------------------------------------------------------


def _publish(session, people):  # noqa: F811
    candidates = []
    for last_name, answers in people:
        candidate = enrol(session, last_name, "Prénom", "3e A")
        sit(candidate, answers)
        candidates.append(candidate)
    scoring.score_session(session.id)
    scoring.publish_session(session.id)
    return [CertificationResult.objects.get(candidate=candidate) for candidate in candidates]


@pytest.mark.django_db
def test_validated_results_get_a_code_at_publication_and_rejected_ones_none(session):  # noqa: F811
    validated, rejected = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("RARE", ["ok"] * 5)])
    assert validated.status == "validated" and verification.is_verification_code(validated.verification_code)
    assert rejected.status == "rejected" and rejected.verification_code is None


@pytest.mark.django_db
def test_scoring_before_publication_gives_no_code(session):  # noqa: F811
    sit(enrol(session, "ZOLA"), ["ok", "ko"] * 16)
    scoring.score_session(session.id)
    assert CertificationResult.objects.get().verification_code is None


@pytest.mark.django_db
def test_a_collision_draws_again_and_giving_codes_is_idempotent(session):  # noqa: F811
    first, second = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("ABEL", ["ok", "ko"] * 16)])
    assert first.verification_code != second.verification_code
    taken = first.verification_code
    second.verification_code = None
    second.save()
    draws = iter(taken[2:] + "BBBBBBBB")
    assert codes.give_code(second, choice=lambda _alphabet: next(draws)) == "P-BBBBBBBB"
    assert codes.give_missing_codes(CertificationResult.objects.all()) == 0
    first.refresh_from_db()
    assert first.verification_code == taken


# --- The public page ------------------------------------------------------------------------------------------


@pytest.fixture
def published(session):  # noqa: F811
    validated, rejected = _publish(session, [("ZOLA", ["ok", "ko"] * 16), ("RARE", ["ok"] * 5)])
    rejected.verification_code = "P-BBBBBBBB"  # never given to a rejected result, but never shown either
    rejected.save()
    return validated


@pytest.mark.django_db
def test_the_public_page_shows_only_name_date_score_and_band(client, published):
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 200
    text = page.content.decode()
    candidate = published.candidate
    assert f"{candidate.first_name} {candidate.display_last_name}" in text
    assert f"{published.pix_score} pix" in text and published.level_label in text
    assert "4 décembre 2026" in text or candidate.session.date.strftime("%Y") in text
    assert candidate.birthdate.strftime("%d/%m/%Y") not in text and "Lyon" not in text
    assert candidate.session.school.name not in text


@pytest.mark.django_db
def test_unknown_unpublished_and_rejected_codes_give_the_same_404(client, published, session):  # noqa: F811
    for code in ("P-CCCCCCCC", "P-BBBBBBBB"):
        page = client.get(reverse("certif:verify", kwargs={"code": code}))
        assert page.status_code == 404 and "Certification introuvable" in page.content.decode()
    session.published_at = None
    session.save()
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 404


@pytest.mark.django_db
def test_malformed_codes_never_reach_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("certif:verify", kwargs={"code": "P-'OR1=1"}))
    assert page.status_code == 400 and "bon format" in page.content.decode()
    assert not [q for q in queries if "certif_certificationresult" in q["sql"]]
    assert client.get(reverse("certif:verify_form"), {"code": "junk"}).status_code == 400


@pytest.mark.django_db
def test_the_form_normalises_and_redirects(client, published):
    assert client.get(reverse("certif:verify_form")).status_code == 200
    typed = published.verification_code.lower().replace("-", " ")
    page = client.get(reverse("certif:verify_form"), {"code": typed})
    assert page.status_code == 302 and page["Location"].endswith(f"/verifier/{published.verification_code}/")
    lower = client.get(reverse("certif:verify", kwargs={"code": published.verification_code.lower()}))
    assert lower.status_code == 302


@pytest.mark.django_db
def test_lookups_are_throttled_per_address(client, published, settings):
    from certif.handover.views import verify

    for _ in range(verify.MAX_PER_ADDRESS):
        client.get(reverse("certif:verify", kwargs={"code": "P-CCCCCCCC"}))
    page = client.get(reverse("certif:verify", kwargs={"code": published.verification_code}))
    assert page.status_code == 429 and "Trop de vérifications" in page.content.decode()
