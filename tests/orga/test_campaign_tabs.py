import random
import re

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from crcn.models import Skill
from orga.campaigns.services import create_campaign
from orga.models import CompetenceResult, Participation
from orga.pupils.names import normalized_name
from orga.results.frames import campaign_results, tube_analysis
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory

CODES = ["1.1", "3.4", "4.1"]


def url(name, school, campaign):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, "campaign_id": campaign.id})


def add_participants(campaign, division, count, seed=1, statuses=("shared", "shared", "to_share", "started")):
    """Participants with results drawn at random: skills of the competence validated up to their level."""
    rng = random.Random(seed)
    skills = {}
    for skill in Skill.objects.filter(tube__competence__code__in=CODES, is_active=True).select_related(
        "tube__competence"
    ):
        skills.setdefault(skill.tube.competence.code, []).append(skill)
    competences = {c.code: c for c in campaign.competences.all()}
    for n in range(count):
        status = statuses[n % len(statuses)]
        pupil = PupilFactory(school=campaign.school, division=division)
        participation = Participation.objects.create(campaign=campaign, pupil=pupil, status=status)
        if status == "started":
            continue
        total = 0
        for code in CODES:
            level = rng.randint(0, 5)
            validated = [s.id for s in skills[code] if s.level <= level]
            CompetenceResult.objects.create(
                participation=participation,
                competence=competences[code],
                level=level,
                pix=8 * level,
                validated_skills=validated,
                tested_skills=6,
            )
            total += 8 * level
        participation.pix = total
        participation.save()


@pytest.fixture
def campaign(school, teacher):
    return create_campaign(school=school, owner=teacher, name="Rentrée", type="assessment", competence_codes=CODES)


@pytest.mark.django_db
def test_activity_counts_by_status_and_class(client_for, school, teacher, campaign):
    add_participants(campaign, DivisionFactory(school=school, name="3e A"), 8)
    add_participants(campaign, DivisionFactory(school=school, name="3e B"), 4, seed=2)
    html = client_for(teacher).get(url("campaign_activity", school, campaign)).content.decode()
    assert 'data-count="total">12<' in html
    assert 'data-count="shared">6<' in html and 'data-count="to_share">3<' in html and 'data-count="started">3<' in html
    assert '<th scope="row">3e A</th><td>2</td><td>2</td><td>4</td>' in html
    assert "Nouvelles participations par jour" in html and "<svg" in html


@pytest.mark.django_db
def test_results_table_matches_the_frame_and_filters(client_for, school, teacher, campaign):
    a = DivisionFactory(school=school, name="3e A")
    add_participants(campaign, a, 8)
    add_participants(campaign, DivisionFactory(school=school, name="3e B"), 4, seed=2)
    frame = campaign_results(campaign).frame
    client = client_for(teacher)
    html = client.get(url("campaign_results", school, campaign)).content.decode()
    assert "12 participants" in html
    first = frame.iloc[0]
    assert f"{first.last_name} {first.first_name}" in html
    html = client.get(
        url("campaign_results", school, campaign), {"classe": "3e B", "statut": "shared"}
    ).content.decode()
    assert "2 participants" in html and html.count('data-status="shared"') == 2
    partial = client.get(url("campaign_results", school, campaign), {"tri": "pix"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


@pytest.mark.django_db
def test_analysis_ranks_needs_with_labels_and_tutorials(client_for, school, teacher, campaign):
    add_participants(campaign, DivisionFactory(school=school), 12)
    results = campaign_results(campaign)
    analysis = tube_analysis(results)
    weights = [a["weight"] for a in analysis]
    assert weights == sorted(weights, reverse=True)
    assert {a["label"] for a in analysis if a["weight"] > 0} <= {"Très recommandé", "Recommandé", "Assez recommandé"}
    assert analysis[0]["label"] == "Très recommandé"
    html = client_for(teacher).get(url("campaign_analysis", school, campaign)).content.decode()
    assert "Besoins de formation collectifs" in html and "Très recommandé" in html
    assert 'data-competence="3.4"' in html and "Priorités par élève" in html
    shown = [t for a in analysis if a["label"] for t in a["tutorials"]][0]
    item = next(i for i in re.findall(r"<li data-tutorial>(.*?)</li>", html, re.S) if escape(shown.title) in i)
    assert f"({escape(shown.source)} · {shown.get_format_display()} · {shown.duration_minutes} min)" in item
    assert f"Niveau {shown.level}" in item


@pytest.mark.django_db
@pytest.mark.parametrize("tab", ["campaign_activity", "campaign_results", "campaign_analysis"])
def test_tab_query_counts_do_not_grow_with_participants(client_for, school, teacher, campaign, tab):
    division = DivisionFactory(school=school)
    client = client_for(teacher)
    add_participants(campaign, division, 4)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(tab, school, campaign)).status_code == 200
    add_participants(campaign, division, 40, seed=3)
    with CaptureQueriesContext(connection) as many:
        client.get(url(tab, school, campaign))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_teacher_sees_only_their_classes_in_a_colleagues_campaign(client_for, school, campaign):
    mine, other = DivisionFactory(school=school, name="4e Mine"), DivisionFactory(school=school, name="4e Autre")
    add_participants(campaign, mine, 3)
    add_participants(campaign, other, 5, seed=4)
    colleague = MembershipFactory(school=school, role="member")
    colleague.divisions.set([mine])
    html = client_for(colleague.user).get(url("campaign_results", school, campaign)).content.decode()
    assert "3 participants" in html and "4e Autre" not in html


@pytest.mark.django_db
def test_owner_and_admins_see_everyone(client_for, school, school_admin, teacher, campaign):
    add_participants(campaign, DivisionFactory(school=school), 5)
    for user in (teacher, school_admin):
        assert "5 participants" in client_for(user).get(url("campaign_results", school, campaign)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("pupil", 403), ("other_school_admin", 404)])
@pytest.mark.parametrize("tab", ["campaign_activity", "campaign_results", "campaign_analysis"])
def test_tab_permissions(client_for, request, school, campaign, who, status, tab):
    assert client_for(request.getfixturevalue(who)).get(url(tab, school, campaign)).status_code == status


@pytest.mark.django_db
def test_anonymous_goes_to_sign_in(client, school, campaign):
    response = client.get(url("campaign_results", school, campaign))
    assert response.status_code == 302 and reverse("account_login") in response.url


@pytest.mark.django_db
@pytest.mark.parametrize("tab", ["campaign_activity", "campaign_results", "campaign_analysis"])
def test_tabs_of_a_campaign_without_participants(client_for, school, teacher, campaign, tab):
    response = client_for(teacher).get(url(tab, school, campaign))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_colleague_without_the_classes_sees_empty_tabs(client_for, school, campaign):
    add_participants(campaign, DivisionFactory(school=school), 4)
    colleague = MembershipFactory(school=school, role="member").user
    for tab in ("campaign_activity", "campaign_results", "campaign_analysis"):
        assert client_for(colleague).get(url(tab, school, campaign)).status_code == 200


@pytest.mark.django_db
def test_needs_carry_the_next_level_so_resources_match_it(school, teacher, campaign):
    from orga.classes.resources import resources_for_needs
    from orga.models import Resource

    add_participants(campaign, DivisionFactory(school=school), 12)
    analysis = tube_analysis(campaign_results(campaign))
    need = next(a for a in analysis if a["label"])
    assert 1 <= need["level"] <= 5
    low = Resource.objects.create(school=school, author=teacher, title="Bases", url="https://exemple.fr/a")
    low.competences.set([need["competence"]])
    Resource.objects.filter(id=low.id).update(level_min=need["level"], level_max=need["level"])
    high = Resource.objects.create(school=school, author=teacher, title="Expert", url="https://exemple.fr/b")
    high.competences.set([need["competence"]])
    Resource.objects.filter(id=high.id).update(level_min=7, level_max=8)
    matched = resources_for_needs(school, [need])[0]["resources"]
    assert [r.title for r in matched] == ["Bases"]


# --- The tabs' services (orga/results/tabs.py), without the views -----------------------------------


@pytest.fixture
def two_classes(school, campaign):
    add_participants(campaign, DivisionFactory(school=school, name="3e A"), 8)
    add_participants(campaign, DivisionFactory(school=school, name="3e B"), 4, seed=2)
    return campaign_results(campaign)


def scope(results):
    """What the tabs' services read: the campaign and the participations shown."""
    return results.campaign, Participation.objects.current().filter(campaign=results.campaign)


def names(table):
    return [row["name"] for row in table.page.object_list]


@pytest.mark.django_db
def test_results_page_filters_by_class_status_and_name(two_classes):
    from orga.results.tabs import results_page

    table = results_page(*scope(two_classes))
    assert table.divisions == ["3e A", "3e B"] and table.page.paginator.count == 12
    table = results_page(*scope(two_classes), division="3e B", status="shared")
    assert table.page.paginator.count == 2 and {row["division"] for row in table.page.object_list} == {"3e B"}
    assert {row["status"] for row in table.page.object_list} == {"shared"}
    table = results_page(*scope(two_classes), status="n'importe quoi")
    assert table.page.paginator.count == 12  # an unknown status filters nothing
    someone = two_classes.frame.iloc[5]
    table = results_page(*scope(two_classes), query=f"  {someone.first_name.upper()} ")
    assert table.query == someone.first_name.upper() and f"{someone.last_name} {someone.first_name}" in names(table)
    assert results_page(*scope(two_classes), query="zzzz").page.object_list == []
    # Without case or accents, on SQLite too: "ÉLODIE" and "elodie" find "Élodie".
    plain = normalized_name(f"{someone.last_name} {someone.first_name}")
    assert f"{someone.last_name} {someone.first_name}" in names(results_page(*scope(two_classes), query=plain))


@pytest.mark.django_db
def test_results_page_sorts_with_unknown_sorts_by_class(two_classes):
    from orga.results.tabs import results_page

    by_pix = results_page(*scope(two_classes), sort="pix").page.object_list
    finished = [row["pix"] for row in by_pix if row["status"] != "started"]
    assert finished == sorted(finished, reverse=True)
    assert names(results_page(*scope(two_classes), sort="inconnu")) == names(
        results_page(*scope(two_classes), sort="classe")
    )
    by_class = results_page(*scope(two_classes)).page.object_list
    assert [row["division"] for row in by_class] == sorted(row["division"] for row in by_class)


@pytest.mark.django_db
def test_results_page_cuts_pages(two_classes, monkeypatch):
    from orga.results import tabs

    everyone = names(tabs.results_page(*scope(two_classes)))
    monkeypatch.setattr(tabs, "PAGE_SIZE", 5)
    pages = [tabs.results_page(*scope(two_classes), page=str(n)) for n in (1, 2, 3)]
    assert [len(p.page.object_list) for p in pages] == [5, 5, 2]
    assert [name for p in pages for name in names(p)] == everyone
    assert names(tabs.results_page(*scope(two_classes), page="99")) == names(pages[2])  # past the end: the last page
    assert names(tabs.results_page(*scope(two_classes), page="abc")) == names(pages[0])


@pytest.mark.django_db
def test_results_page_of_no_participant(school, campaign):
    from orga.results.tabs import results_page

    table = results_page(*scope(campaign_results(campaign)), division="3e A", query="x", sort="pix", page="2")
    assert table.divisions == [] and table.page.object_list == [] and table.page.paginator.count == 0


@pytest.mark.django_db
def test_analysis_level_distribution_counts_every_shared_result(two_classes):
    from orga.results.tabs import analysis_tab

    data = analysis_tab(*scope(two_classes), two_classes.campaign.school)
    shared = two_classes.shared()
    assert data["shared_count"] == len(shared) and list(data["level_range"]) == [0, 1, 2, 3, 4, 5]
    for row in data["per_competence"]:
        levels = shared[f"level:{row['competence'].code}"].dropna()
        assert len(row["counts"]) == 6 and sum(row["counts"]) == len(levels) == row["count"]
        assert row["mean_level"] == round(float(levels.mean()), 1)
        assert row["percent"] == round(100 * float(levels.mean()) / 5)


@pytest.mark.django_db
def test_analysis_counts_the_weakest_pupils_it_has_and_folds_long_sections(client_for, school, teacher, campaign):
    from orga.results.tabs import FOLD_ROWS

    add_participants(campaign, DivisionFactory(school=school), 40)  # 20 shared results, fewer than 100
    html = client_for(teacher).get(url("campaign_analysis", school, campaign)).content.decode()
    assert "100 élèves" not in html and "Les élèves aux résultats les plus faibles d'abord" in html
    priorities = html[html.index("Priorités par élève") :]
    shown, folded = priorities.split("<details", 1)
    assert shown.count('<tr data-pupil="') == FOLD_ROWS
    assert "Voir les 10 autres élèves" in folded and folded.count('<tr data-pupil="') == 10
    needs = html[html.index("Besoins de formation collectifs") : html.index("Priorités par élève")]
    assert needs.split("<details", 1)[0].count("<tr data-need") <= FOLD_ROWS


@pytest.mark.django_db
def test_results_table_names_competences_and_scrolls_with_the_keyboard(client_for, school, teacher, campaign):
    add_participants(campaign, DivisionFactory(school=school), 4)
    html = client_for(teacher).get(url("campaign_results", school, campaign)).content.decode()
    for competence in campaign.competences.all():
        assert f'{competence.code}</span> <span class="results-table__title">{escape(competence.title)}</span>' in html
    region = re.search(r'<div class="fr-table__container"([^>]*)>', html).group(1)
    assert 'tabindex="0"' in region and 'role="region"' in region and "aria-label" in region


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tab, panel",
    [
        ("campaign_activity", "activite"),
        ("campaign_results", "resultats"),
        ("campaign_analysis", "analyse"),
        ("campaign_detail", "parametres"),
    ],
)
def test_each_tab_is_a_page_and_a_panel_loaded_by_the_tabs(client_for, school, teacher, campaign, tab, panel):
    client = client_for(teacher)
    html = client.get(url(tab, school, campaign)).content.decode()
    assert 'role="tablist"' in html and html.count('role="tab"') == 4 and html.count('role="tabpanel"') == 4
    assert f'id="onglet-{panel}" role="tab" aria-controls="panneau-{panel}" aria-selected="true" tabindex="0"' in html
    assert html.count('aria-selected="true"') == 1 and "fr-tabs__panel--selected" in html
    tab_attributes = (
        f'hx-get="{url(tab, school, campaign)}" hx-trigger="campaign-tab-selected" '
        'hx-sync="closest .fr-tabs:replace" hx-push-url="true"'
    )
    assert tab_attributes in html
    partial = client.get(url(tab, school, campaign), headers={"HX-Request": "true", "HX-Target": f"panneau-{panel}"})
    assert "<html" not in partial.content.decode() and 'role="tablist"' not in partial.content.decode()
    restored = client.get(
        url(tab, school, campaign), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert 'role="tablist"' in restored.content.decode()


@pytest.mark.django_db
def test_results_filters_refresh_only_the_table(client_for, school, teacher, campaign):
    add_participants(campaign, DivisionFactory(school=school, name="3e A"), 4)
    headers = {"HX-Request": "true", "HX-Target": "results-table"}
    html = client_for(teacher).get(url("campaign_results", school, campaign), headers=headers).content.decode()
    assert "participants" in html and 'role="search"' not in html


# --- The tabs read the aggregates and the database's pages (issue 14) ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tab, params",
    [
        ("campaign_activity", {}),
        ("campaign_results", {}),
        ("campaign_results", {"tri": "progression", "q": "a", "statut": "shared"}),
        ("campaign_results", {"tri": "maitrise", "classe": "3e A"}),
        ("campaign_analysis", {}),
    ],
)
def test_tabs_on_stored_aggregates_cost_the_same_queries_for_5_and_50_participants(
    client_for, school, teacher, campaign, tab, params
):
    from orga.campaigns.stats import refresh_campaign

    division = DivisionFactory(school=school, name="3e A")
    client = client_for(teacher)
    add_participants(campaign, division, 5)
    refresh_campaign(campaign)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(tab, school, campaign), params).status_code == 200
    add_participants(campaign, division, 45, seed=3)
    add_participants(campaign, DivisionFactory(school=school, name="3e B"), 5, seed=4)
    refresh_campaign(campaign)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(tab, school, campaign), params).status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_analysis_from_the_aggregates_is_the_frames(two_classes):
    from orga.campaigns.stats import VisibleStats, refresh_campaign
    from orga.results import frames, tabs

    campaign = two_classes.campaign
    expected_profile = frames.competence_profile(two_classes)
    expected_needs = [(a["tube"].id, a["weight"], a["mastery"], a["label"]) for a in tube_analysis(two_classes)]
    for stored in (False, True):  # computed on reading, then stored
        if stored:
            refresh_campaign(campaign)
        stats = VisibleStats(*scope(two_classes))
        assert (stats.stale == []) is stored
        competences = tabs.ordered_competences(campaign)
        assert tabs.competence_profile(stats, competences) == expected_profile
        needs = tabs.tube_analysis(stats, competences)
        assert [(a["tube"].id, a["weight"], a["mastery"], a["label"]) for a in needs] == expected_needs


@pytest.mark.django_db
def test_results_page_sorts_by_mastery_and_progress_and_searches_the_name_shown(two_classes):
    from orga.campaigns.stats import refresh_campaign
    from orga.results.tabs import results_page

    campaign = two_classes.campaign
    refresh_campaign(campaign)  # the mastery each participation stores, which the database sorts on
    by_mastery = results_page(*scope(two_classes), sort="maitrise").page.object_list
    masteries = [row["mastery"] for row in by_mastery]
    known = [m for m in masteries if m is not None]
    assert known == sorted(known, reverse=True) and masteries[len(known) :] == [None] * (12 - len(known))
    frame = two_classes.frame.sort_values(["mastery", "last_name"], ascending=[False, True], na_position="last")
    assert [row["mastery"] for row in by_mastery] == [None if pd.isna(m) else int(m) for m in frame["mastery"]]
    progress = [row["progress"] for row in results_page(*scope(two_classes), sort="progression").page.object_list]
    assert progress == sorted(progress, reverse=True) and progress[0] == 100
    someone = Participation.objects.filter(campaign=campaign).select_related("pupil").first().pupil
    someone.preferred_last_name = "Zébulon-Usage"
    someone.save()
    table = results_page(*scope(two_classes), query="zébulon-usage ")
    assert names(table) == [f"Zébulon-Usage {someone.first_name}"]
    by_name = names(results_page(*scope(two_classes), sort="nom"))
    assert by_name[-1] == f"Zébulon-Usage {someone.first_name}" and by_name == sorted(by_name)


@pytest.mark.django_db
def test_the_pages_rows_and_priorities_have_the_frames_figures(two_classes):
    from orga.results import frames, tabs

    frame = two_classes.frame
    rows = {row["name"]: row for row in tabs.results_page(*scope(two_classes)).page.object_list}
    assert len(rows) == len(frame) == 12
    for want in frame.itertuples():
        row = rows[f"{want.last_name} {want.first_name}"]
        assert (row["division"], row["status"], row["progress"], row["pix"]) == (
            want.division, want.status, want.progress, want.pix
        )  # fmt: skip
        assert row["mastery"] == (None if pd.isna(want.mastery) else int(want.mastery))
        for (_label, cell), code in zip(row["cells"], CODES, strict=True):
            level = getattr(want, f"_{frame.columns.get_loc(f'level:{code}') + 1}")
            assert cell == (None if pd.isna(level) else (int(level), int(frame.loc[want.Index, f"pix:{code}"])))
    expected = frames.pupil_priorities(two_classes, pupils=tabs.PRIORITY_ROWS)
    assert tabs.weakest_pupils(*scope(two_classes), tabs.PRIORITY_ROWS) == expected
