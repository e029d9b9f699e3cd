import html as html_module
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import rate_limits
from crcn import engine
from crcn.models import Challenge
from orga.campaigns.services import competence_codes, create_campaign, current_bank
from orga.models import Answer, CompetenceResult, Participation
from tests.concurrency import at_once as run_at_once
from tests.factories import DivisionFactory, PupilFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(school, teacher):
    return create_campaign(
        school=school, owner=teacher, name="Parcours de rentrée 4e", type="assessment", competence_codes=["1.1", "4.1"]
    )


def right_answer(challenge):
    if challenge.type == "qcu":
        return {"reponse": str(challenge.solution)}
    if challenge.type == "qcm":
        return {"reponse": [str(i) for i in challenge.solution]}
    return {"reponse": challenge.solution[0]}


def served(participation):
    participation.refresh_from_db()
    return Challenge.objects.get(id=participation.current_challenge_id)


def start(client, campaign):
    response = client.post(reverse("orga:campaign_confirm", kwargs={"code": campaign.code}))
    participation = Participation.objects.latest("id")
    assert response.url == reverse("orga:take", kwargs={"participation_id": participation.id})
    return participation


def answer(client, participation, challenge, data):
    return client.post(
        reverse("orga:answer", kwargs={"participation_id": participation.id}),
        {"challenge": challenge.id, "type": challenge.type, **data},
    )


def run_to_the_end(client, participation, correct=True, limit=60):
    for _ in range(limit):
        response = client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
        if response.status_code == 302:
            return response
        challenge = served(participation)
        answer(client, participation, challenge, right_answer(challenge) if correct else {"passer": "1"})
    raise AssertionError("the test never ended")


# --- Entering a code --------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_leads_to_a_confirmation_with_name_and_school(client_for, pupil, campaign):
    client = client_for(pupil)
    response = client.post(
        reverse("orga:enter_code"), {"code": f" {campaign.code.lower()[:4]} {campaign.code.lower()[4:]} "}
    )
    assert response.url == reverse("orga:campaign_confirm", kwargs={"code": campaign.code})
    html = client.get(response.url).content.decode()
    assert "Parcours de rentrée 4e" in html and "Collège Jean-Moulin" in html and "Commencer le parcours" in html


@pytest.mark.django_db
def test_unknown_code(client_for, pupil):
    response = client_for(pupil).post(reverse("orga:enter_code"), {"code": "AAAAAA222"})
    assert response.status_code == 400
    assert "ne correspond à aucun parcours" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "situation, message",
    [
        ("archived", "Ce parcours est archivé"),
        ("other_school", "parcours d&#x27;un autre établissement"),
        ("disabled", "inscription dans l&#x27;établissement n&#x27;est plus active"),
        ("other_class", "destiné à d&#x27;autres classes (3e Z)"),
    ],
)
def test_codes_that_cannot_be_used(client_for, pupil, campaign, other_school, other_school_admin, situation, message):
    if situation == "archived":
        campaign.archived_at = timezone.now()
        campaign.save()
    elif situation == "other_school":
        campaign = create_campaign(
            school=other_school, owner=other_school_admin, name="Ailleurs", type="assessment", competence_codes=["1.1"]
        )
    elif situation == "disabled":
        pupil.pupil.is_active = False
        pupil.pupil.save()
    else:
        campaign.divisions.set([DivisionFactory(school=campaign.school, name="3e Z")])
    client = client_for(pupil)
    response = client.post(reverse("orga:enter_code"), {"code": campaign.code})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.post(reverse("orga:campaign_confirm", kwargs={"code": campaign.code})).status_code == 403
    assert not Participation.objects.exists()


@pytest.mark.django_db
def test_staff_entering_a_code_is_told_it_is_for_pupils(client_for, teacher, campaign):
    response = client_for(teacher).post(reverse("orga:enter_code"), {"code": campaign.code})
    assert "réservés aux élèves" in response.content.decode()


@pytest.mark.django_db
def test_more_than_ten_wrong_codes_in_a_quarter_of_an_hour_is_throttled(client_for, pupil, campaign):
    client = client_for(pupil)
    for n in range(rate_limits.MAX_PER_ACCOUNT):
        assert client.post(reverse("orga:enter_code"), {"code": f"WRONGX{n}22"}).status_code == 400
    response = client.post(reverse("orga:enter_code"), {"code": campaign.code})
    assert response.status_code == 429
    html = html_module.unescape(response.content.decode())
    assert "Trop d'essais erronés en peu de temps pour ce compte. Réessayez à partir de " in html
    assert "Vérifiez le code auprès de votre professeur." in html


SCHOOL_ADDRESS = "203.0.113.7"


def wrong_code(client, n, address=SCHOOL_ADDRESS, **headers):
    return client.post(reverse("orga:enter_code"), {"code": f"WRONGX{n}22"}, REMOTE_ADDR=address, **headers)


def pupil_client(school):
    client = Client()
    client.force_login(PupilFactory(school=school, user=UserFactory()).user)
    return client


@pytest.mark.django_db
def test_one_pupils_typos_do_not_block_the_class(school, campaign):
    clumsy, classmate = pupil_client(school), pupil_client(school)
    for n in range(11):
        wrong_code(clumsy, n)
    assert wrong_code(clumsy, 11).status_code == 429
    assert wrong_code(classmate, 12).status_code == 400
    response = classmate.post(reverse("orga:enter_code"), {"code": campaign.code}, REMOTE_ADDR=SCHOOL_ADDRESS)
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_address_is_throttled_only_far_above_a_class(school, campaign):
    assert rate_limits.MAX_PER_ADDRESS >= 300
    counter = rate_limits.key(rate_limits.CAMPAIGN_CODE, "address", SCHOOL_ADDRESS)
    cache.set(counter, rate_limits.MAX_PER_ADDRESS - 1, 600)
    assert wrong_code(pupil_client(school), 1).status_code == 400
    assert wrong_code(pupil_client(school), 2).status_code == 429


@pytest.fixture
def small_address_ceiling(monkeypatch):
    monkeypatch.setitem(rate_limits.MAXIMA, "address", 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "forged", "elsewhere"),
    [
        # No trusted proxy: the header is ignored, only REMOTE_ADDR counts.
        (0, "6.6.6.{n}", {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": SCHOOL_ADDRESS}),
        # One proxy: the right-most entry is the one it appended; the rest is the client's to forge.
        (1, "6.6.6.{n}, 192.0.2.4", {"HTTP_X_FORWARDED_FOR": "192.0.2.4, 192.0.2.5"}),
    ],
)
def test_a_forged_forwarded_for_does_not_change_the_address_counted(
    settings, school, small_address_ceiling, proxies, forged, elsewhere
):
    settings.TRUSTED_PROXY_COUNT = proxies
    responses = [wrong_code(pupil_client(school), n, HTTP_X_FORWARDED_FOR=forged.format(n=n)) for n in range(4)]
    assert [response.status_code for response in responses] == [400, 400, 400, 429]
    assert wrong_code(pupil_client(school), 9, **elsewhere).status_code == 400


def without_csrf_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.mark.django_db
def test_a_throttled_pupil_cannot_tell_whether_a_code_exists(client_for, pupil, campaign):
    client = client_for(pupil)
    for n in range(10):
        wrong_code(client, n)
    existing = client.get(reverse("orga:campaign_confirm", kwargs={"code": campaign.code}))
    unknown = client.get(reverse("orga:campaign_confirm", kwargs={"code": "NOPEXX999"}))
    assert existing.status_code == unknown.status_code == 429
    assert without_csrf_tokens(existing) == without_csrf_tokens(unknown)
    assert "Trop d&#x27;essais erronés" in existing.content.decode()


@pytest.mark.django_db
def test_unknown_codes_in_the_address_bar_count_as_wrong_codes(client_for, pupil, campaign):
    client = client_for(pupil)
    for n in range(10):
        assert client.get(reverse("orga:campaign_confirm", kwargs={"code": f"NOPEXX{n}99"})).status_code == 404
    assert client.post(reverse("orga:enter_code"), {"code": campaign.code}).status_code == 429


# --- The test ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_journey_until_results_are_sent(client_for, pupil, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    page = client.get(reverse("orga:take", kwargs={"participation_id": participation.id})).content.decode()
    assert "Question 1" in page and "compétence 1 sur 2" in page and "Je passe" in page
    response = run_to_the_end(client, participation, correct=True)
    participation.refresh_from_db()
    assert response.url == reverse("orga:results", kwargs={"participation_id": participation.id})
    assert participation.status == Participation.Status.SHARED and participation.shared_at
    results = {r.competence.code: r for r in CompetenceResult.objects.filter(participation=participation)}
    assert set(results) == {"1.1", "4.1"}
    assert all(r.level == 5 and r.pix == 40 for r in results.values())
    assert participation.pix == 80
    html = client.get(response.url).content.decode()
    assert "Résultats envoyés" in html and 'data-competence="4.1"' in html and "40 / 40" in html


@pytest.mark.django_db
def test_skipping_everything_gives_level_0_and_tutorials(client_for, pupil, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    response = run_to_the_end(client, participation, correct=False)
    html = client.get(response.url).content.decode()
    assert set(CompetenceResult.objects.values_list("level", flat=True)) == {0}
    assert "Pour progresser" in html
    assert Answer.objects.filter(result="skipped").count() == Answer.objects.count() > 0


@pytest.mark.django_db
def test_recommended_tutorials_show_source_format_duration_and_level_in_french(client_for, pupil, campaign):
    from crcn.models import Tutorial

    Tutorial.objects.filter(tube__competence__code="1.1").update(format="video", level=7, source="Lumni")
    Tutorial.objects.filter(tube__competence__code="4.1").update(format="pdf", level=2, source="")
    client = client_for(pupil)
    response = run_to_the_end(client, participation=start(client, campaign), correct=False)
    html = client.get(response.url).content.decode()
    items = re.findall(r"<li data-tutorial>(.*?)</li>", html, re.S)
    assert len(items) == 4  # two for each competence of the campaign
    for item in items:
        shown_title = re.search(r'rel="noopener" title="[^"]*">(.*?)</a>', item).group(1)
        tutorial = Tutorial.objects.get(title=html_module.unescape(shown_title))
        if tutorial.tube.competence.code == "1.1":
            assert f"(Lumni · Vidéo · {tutorial.duration_minutes} min)" in item and "Niveau 7" in item
        else:
            assert f"(PDF · {tutorial.duration_minutes} min)" in item and "Niveau 2" in item
        assert 'target="_blank"' in item and "— nouvelle fenêtre" in item


@pytest.mark.django_db
def test_every_answer_is_saved_and_the_test_resumes(client_for, pupil, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    for _ in range(3):
        client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
        challenge = served(participation)
        answer(client, participation, challenge, right_answer(challenge))
    client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
    waiting = served(participation)
    client.logout()
    client = client_for(pupil)  # a new session, as after closing the browser
    html = client.get(reverse("orga:campaign_confirm", kwargs={"code": campaign.code})).content.decode()
    assert "Reprendre le parcours" in html
    assert start(client, campaign).id == participation.id
    page = client.get(reverse("orga:take", kwargs={"participation_id": participation.id})).content.decode()
    assert "Question 4" in page and f'name="challenge" value="{waiting.id}"' in page


@pytest.mark.django_db
def test_a_double_submit_counts_once(client_for, pupil, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
    challenge = served(participation)
    first = answer(client, participation, challenge, right_answer(challenge))
    second = answer(client, participation, challenge, {"passer": "1"})
    assert first.status_code == second.status_code == 302
    assert list(Answer.objects.values_list("challenge_id", "result")) == [(challenge.id, "ok")]


@pytest.mark.django_db
def test_tampered_answers_are_refused(client_for, pupil, school, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
    served_challenge = served(participation)
    not_served = Challenge.objects.active().exclude(id=served_challenge.id).first()
    assert answer(client, participation, not_served, right_answer(not_served)).status_code == 400
    other = client_for(PupilFactory(school=school, user=UserFactory()).user)
    assert answer(other, participation, served_challenge, right_answer(served_challenge)).status_code == 400
    assert other.get(reverse("orga:take", kwargs={"participation_id": participation.id})).status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_reparticipation_needs_multiple_sendings(client_for, pupil, campaign):
    client = client_for(pupil)
    participation = start(client, campaign)
    run_to_the_end(client, participation)
    response = client.post(reverse("orga:campaign_confirm", kwargs={"code": campaign.code}), follow=True)
    assert "déjà envoyé vos résultats" in response.content.decode()
    assert Participation.objects.count() == 1

    campaign.multiple_sendings = True
    campaign.save()
    second = start(client, campaign)
    assert second.id != participation.id
    participation.refresh_from_db()
    assert participation.is_improved and not second.is_improved


@pytest.mark.django_db
def test_my_profile_gathers_all_campaigns(client_for, pupil, school, teacher, campaign):
    client = client_for(pupil)
    run_to_the_end(client, start(client, campaign))
    other = create_campaign(school=school, owner=teacher, name="Sécurité", type="assessment", competence_codes=["4.2"])
    run_to_the_end(client, start(client, other), correct=False)
    html = client.get(reverse("orga:my_profile")).content.decode()
    assert "Parcours de rentrée 4e" in html and "Sécurité" in html
    assert "80 pix sur 640" in html
    assert "pas encore évaluée" in html


@pytest.mark.django_db
def test_pages_of_the_journey_need_a_pupil(client_for, teacher, client):
    assert client.get(reverse("orga:enter_code")).status_code == 302
    assert client_for(teacher).get(reverse("orga:my_profile")).status_code == 403


# --- At the same moment -------------------------------------------------------------------------

THREADS = 6
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Requêtes simultanées : il faut PostgreSQL (DATABASE_URL, comme en CI) ; SQLite sérialise les "
    "écritures et n'a pas de verrou de ligne.",
)


def bring_to_the_last_question(client, participation):
    """Answer right until the challenge served is the last one: the engine would choose nothing after it."""
    bank, codes = current_bank(), competence_codes(participation.campaign)
    for _ in range(60):
        client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
        challenge = served(participation)
        answers = [
            engine.AnswerInfo(challenge_id=a.challenge_id, skill_id=a.skill_id, correct=a.result == "ok")
            for a in participation.answers.all()
        ]
        last = engine.AnswerInfo(challenge_id=challenge.id, skill_id=challenge.skill_id, correct=True)
        if engine.next_challenge(bank, codes, [*answers, last], participation.seed) is None:
            return challenge
        answer(client, participation, challenge, right_answer(challenge))
    raise AssertionError("the test never reached its last question")


def at_once(user, request):
    """`request(client)` from THREADS clients of `user` at once: (status, redirect chain) of each."""
    clients = [Client(raise_request_exception=False) for _ in range(THREADS)]
    for client in clients:
        client.force_login(user)
    return run_at_once(
        clients, request, lambda response: (response.status_code, [u for u, _ in response.redirect_chain])
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["reload", "answer"])
def test_requests_at_the_last_question_at_once_finish_the_test_once(framework, pupil, campaign, how):
    """Six tabs at the last question (reloaded, or its answer sent): each gets the results page; one set of results."""
    client = Client()
    client.force_login(pupil)
    participation = start(client, campaign)
    last = bring_to_the_last_question(client, participation)
    take_url = reverse("orga:take", kwargs={"participation_id": participation.id})
    results_url = reverse("orga:results", kwargs={"participation_id": participation.id})
    if how == "reload":
        answer(client, participation, last, right_answer(last))
        outcomes = at_once(pupil, lambda c: c.get(take_url, follow=True))
        expected = (200, [results_url])
    else:
        data = {"challenge": last.id, "type": last.type, **right_answer(last)}
        outcomes = at_once(pupil, lambda c: c.post(reverse("orga:answer", args=[participation.id]), data, follow=True))
        expected = (200, [take_url, results_url])
    abnormal = [outcome for outcome in outcomes if outcome != expected]
    assert not abnormal, f"{len(abnormal)} of {THREADS} requests: {abnormal}"
    participation.refresh_from_db()
    assert participation.status == Participation.Status.SHARED
    assert sorted(CompetenceResult.objects.values_list("competence__code", flat=True)) == ["1.1", "4.1"]
    assert participation.pix == 80
    assert Answer.objects.filter(challenge=last).count() == 1


@pytest.mark.django_db
def test_the_test_scores_up_to_the_configured_highest_level(client_for, pupil, campaign, settings):
    settings.PIX_MAX_REACHABLE_LEVEL = 6  # the bank has skills up to level 6
    client = client_for(pupil)
    participation = start(client, campaign)
    run_to_the_end(client, participation, correct=True)
    results = CompetenceResult.objects.filter(participation=participation)
    assert {(r.level, r.pix) for r in results} == {(6, 48)}


@pytest.mark.django_db
def test_an_answer_and_the_next_question_cost_a_fixed_number_of_queries(client_for, pupil, campaign):
    """The answer's POST chooses the next challenge under its lock; the page that follows only reads."""
    from django.test.utils import CaptureQueriesContext

    client = client_for(pupil)
    participation = start(client, campaign)
    client.get(reverse("orga:take", kwargs={"participation_id": participation.id}))
    counts = []
    for _ in range(4):
        challenge = served(participation)
        with CaptureQueriesContext(connection) as queries:
            response = answer(client, participation, challenge, right_answer(challenge))
            assert client.get(response.url).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1 and counts[0] <= 18, counts


# --- Proposals in an order of each pupil's own -----------------------------------------------------------------


def shown_choices(html):
    """[(posted value, label)] of the proposals, in the order the page shows them."""
    values = re.findall(r'<input type="(?:radio|checkbox)" id="(proposition-\d+)" name="reponse" value="(\d+)">', html)
    labels = dict(re.findall(r'<label class="fr-label" for="(proposition-\d+)">(.*?)</label>', html, re.S))
    return [(int(value), labels[input_id]) for input_id, value in values]


@pytest.mark.django_db
def test_proposals_are_shown_in_the_participations_order_and_the_right_answer_shown_elsewhere_is_right(
    client_for, pupil, campaign
):
    from django.utils.html import escape

    from crcn.answers import proposal_order, proposal_seed

    client = client_for(pupil)
    participation = start(client, campaign)
    take_url = reverse("orga:take", kwargs={"participation_id": participation.id})
    moved = 0
    for _ in range(40):
        html = client.get(take_url).content.decode()
        challenge = served(participation)
        if challenge.type == "qroc":
            answer(client, participation, challenge, right_answer(challenge))
            continue
        shown = shown_choices(html)
        order = proposal_order(proposal_seed(f"participation-{participation.id}", challenge.code), len(shown))
        assert [value for value, _ in shown] == order
        assert [label for _, label in shown] == [escape(challenge.proposals[i]) for i in order]
        assert shown_choices(client.get(take_url).content.decode()) == shown  # the same after a reload
        if challenge.type == "qcu" and order.index(challenge.solution) != challenge.solution:
            # The pupil ticks the right proposal where it is shown: the form posts its file index.
            value = next(value for value, label in shown if label == escape(challenge.proposals[challenge.solution]))
            answer(client, participation, challenge, {"reponse": str(value)})
            assert Answer.objects.get(participation=participation, challenge=challenge).result == Answer.Result.OK
            moved += 1
            if moved == 3:
                break
        else:
            answer(client, participation, challenge, right_answer(challenge))
    assert moved == 3
