import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orga.campaigns.services import create_campaign
from orga.models import Campaign, Participation
from tests.factories import DivisionFactory, MembershipFactory, PupilFactory, UserFactory

CODE = re.compile(r"^[A-HJKMNP-Z]{6}[2-9]{3}$")


def url(name, school, **kwargs):
    return reverse(f"orga:{name}", kwargs={"uai": school.uai, **kwargs})


def make_campaign(school, owner, **kwargs):
    fields = {"name": "Parcours de rentrée 4e", "type": "assessment", "competence_codes": ["1.1", "3.4"], **kwargs}
    return create_campaign(school=school, owner=owner, **fields)


def test_campaign_codes_have_the_pix_shape():
    codes = {Campaign.new_code() for _ in range(500)}
    assert all(CODE.match(code) for code in codes)
    assert not any(letter in code[:6] for code in codes for letter in "ILO")
    assert len(codes) > 490


@pytest.mark.django_db
def test_code_collision_draws_again(school, teacher, monkeypatch):
    first = make_campaign(school, teacher)
    draws = iter([first.code, "QRTWHB274"])
    monkeypatch.setattr(Campaign, "new_code", staticmethod(lambda rng=None: next(draws)))
    assert make_campaign(school, teacher).code == "QRTWHB274"


@pytest.mark.django_db
def test_create_with_a_preset(client_for, school, teacher):
    division = DivisionFactory(school=school, name="4e A")
    response = client_for(teacher).post(
        url("campaign_create", school),
        {"name": "Rentrée 4e", "type": "assessment", "preset": "rentree-4e", "divisions": [division.id]},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert sorted(campaign.competences.values_list("code", flat=True)) == ["1.3", "2.3", "3.3", "3.4", "4.3"]
    assert list(campaign.divisions.all()) == [division]
    assert campaign.owner == teacher and CODE.match(campaign.code)


@pytest.mark.django_db
def test_create_by_competence_and_profiles_collection(client_for, school, teacher):
    from crcn.models import Competence

    client = client_for(teacher)
    picked = list(Competence.objects.filter(code__in=["2.1", "4.2"]).values_list("id", flat=True))
    client.post(url("campaign_create", school), {"name": "Choix", "type": "assessment", "competences": picked})
    client.post(url("campaign_create", school), {"name": "Profils", "type": "profiles_collection"})
    assert sorted(Campaign.objects.get(name="Choix").competences.values_list("code", flat=True)) == ["2.1", "4.2"]
    assert Campaign.objects.get(name="Profils").competences.count() == 16


@pytest.mark.django_db
def test_create_without_competence_is_refused(client_for, school, teacher):
    response = client_for(teacher).post(url("campaign_create", school), {"name": "Vide", "type": "assessment"})
    assert response.status_code == 200
    assert "Choisissez au moins une compétence" in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_detail_shows_the_code_and_the_printouts(client_for, school, teacher):
    campaign = make_campaign(school, teacher)
    html = client_for(teacher).get(url("campaign_detail", school, campaign_id=campaign.id)).content.decode()
    assert f'data-code="{campaign.code}"' in html
    assert "Consignes pour les élèves (PDF)" in html


@pytest.mark.django_db
def test_owner_and_admins_edit_other_teachers_do_not(client_for, school, teacher, school_admin):
    campaign = make_campaign(school, teacher)
    colleague = MembershipFactory(school=school, role="member").user
    edit = url("campaign_edit", school, campaign_id=campaign.id)
    data = {"name": "Nouveau nom", "type": "assessment", "competences": [c.id for c in campaign.competences.all()]}
    assert client_for(colleague).get(edit).status_code == 403
    assert client_for(colleague).post(edit, data).status_code == 403
    assert client_for(teacher).post(edit, data).status_code == 302
    assert client_for(school_admin).post(edit, {**data, "name": "Par l'admin"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Par l'admin"


@pytest.mark.django_db
def test_competences_are_locked_once_pupils_started(client_for, school, teacher):
    from crcn.models import Competence

    campaign = make_campaign(school, teacher)
    Participation.objects.create(campaign=campaign, pupil=PupilFactory(school=school))
    other = Competence.objects.get(code="5.2")
    client_for(teacher).post(
        url("campaign_edit", school, campaign_id=campaign.id),
        {"name": "Renommée", "type": "assessment", "competences": [other.id]},
    )
    campaign.refresh_from_db()
    assert campaign.name == "Renommée"
    assert sorted(campaign.competences.values_list("code", flat=True)) == ["1.1", "3.4"]


@pytest.mark.django_db
def test_archive_and_unarchive(client_for, school, teacher):
    campaign = make_campaign(school, teacher)
    client = client_for(teacher)
    client.post(url("campaign_archive", school, campaign_id=campaign.id), {"action": "archiver"})
    campaign.refresh_from_db()
    assert campaign.is_archived
    assert campaign.name not in client.get(url("campaigns", school)).content.decode()
    assert campaign.name in client.get(url("campaigns", school) + "?archivees=1").content.decode()
    client.post(url("campaign_archive", school, campaign_id=campaign.id), {"action": "desarchiver"})
    campaign.refresh_from_db()
    assert not campaign.is_archived


@pytest.mark.django_db
def test_campaign_list_query_count_is_fixed(client_for, school, teacher):
    client = client_for(teacher)
    make_campaign(school, teacher)
    with CaptureQueriesContext(connection) as few:
        client.get(url("campaigns", school))
    for n in range(6):
        campaign = make_campaign(school, UserFactory(), name=f"C{n}")
        Participation.objects.create(campaign=campaign, pupil=PupilFactory(school=school))
    with CaptureQueriesContext(connection) as many:
        html = client.get(url("campaigns", school)).content.decode()
    assert len(many) == len(few)
    assert html.count("<code>") == 7


@pytest.mark.django_db
def test_instruction_sheet_and_guardians_letter(client_for, school, teacher, overflows):
    from pypdf import PdfReader

    division = DivisionFactory(school=school, name="4e B")
    for first in ("Anaïs", "Côme", "Noé"):
        PupilFactory(school=school, division=division, first_name=first)
    campaign = make_campaign(school, teacher, divisions=[division])
    client = client_for(teacher)
    sheet = client.get(url("campaign_sheet", school, campaign_id=campaign.id))
    assert sheet["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(sheet.content)).pages[0].extract_text()
    assert text.count(campaign.code) == 8 and "J'ai un code" in text
    letter = client.get(url("campaign_letter", school, campaign_id=campaign.id, division_id=division.id))
    pages = PdfReader(io.BytesIO(letter.content)).pages
    assert len(pages) == 3
    texts = [page.extract_text() for page in pages]
    assert sorted(name for name in ("Anaïs", "Côme", "Noé") for text in texts if name in text) == [
        "Anaïs",
        "Côme",
        "Noé",
    ]
    assert all(campaign.code in text and "responsables légaux" in text for text in texts)
    assert overflows() == []  # nothing cut at the right edge of the page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status", [("teacher", 200), ("school_admin", 200), ("pupil", 403), ("other_school_admin", 404)]
)
def test_campaign_pages_permissions(client_for, request, school, who, status):
    owner = MembershipFactory(school=school, role="member").user
    campaign = make_campaign(school, owner)
    division = DivisionFactory(school=school)
    client = client_for(request.getfixturevalue(who))
    for name, kwargs in [
        ("campaigns", {}),
        ("campaign_create", {}),
        ("campaign_detail", {"campaign_id": campaign.id}),
        ("campaign_sheet", {"campaign_id": campaign.id}),
        ("campaign_letter", {"campaign_id": campaign.id, "division_id": division.id}),
    ]:
        assert client.get(url(name, school, **kwargs)).status_code == status, name


@pytest.mark.django_db
def test_campaign_of_another_school_is_404(client_for, school, teacher, other_school, other_school_admin):
    campaign = make_campaign(other_school, other_school_admin)
    assert client_for(teacher).get(url("campaign_detail", school, campaign_id=campaign.id)).status_code == 404


def _fieldsets(html):
    """(legend, [checkbox labels]) of each competence domain's fieldset, in page order."""
    found = re.findall(r'<fieldset class="fr-fieldset" data-domain="[^"]*".*?</fieldset>', html, re.S)
    return [
        (
            re.search(r"<legend[^>]*>\s*(.*?)\s*</legend>", block, re.S).group(1),
            re.findall(r'<label class="fr-label" for="[^"]+">(\d\.\d) ', block),
        )
        for block in found
    ]


@pytest.mark.django_db
def test_campaign_form_groups_competences_by_domain(client_for, school, teacher):
    html = client_for(teacher).get(url("campaign_create", school)).content.decode()
    fieldsets = _fieldsets(html)
    assert [legend for legend, _ in fieldsets] == [
        "1. Information et données",
        "2. Communication et collaboration",
        "3. Création de contenu",
        "4. Protection et sécurité",
        "5. Environnement numérique",
    ]
    assert [codes for _, codes in fieldsets] == [
        ["1.1", "1.2", "1.3"],
        ["2.1", "2.2", "2.3", "2.4"],
        ["3.1", "3.2", "3.3", "3.4"],
        ["4.1", "4.2", "4.3"],
        ["5.1", "5.2"],
    ]


@pytest.mark.django_db
def test_campaign_form_redisplayed_keeps_the_ticked_competences(client_for, school, teacher):
    from crcn.models import Competence

    picked = Competence.objects.get(code="3.2")
    response = client_for(teacher).post(
        url("campaign_create", school), {"name": "", "type": "assessment", "competences": [picked.id]}
    )
    html = response.content.decode()
    assert "Donnez un nom à la campagne." in html
    assert re.search(rf'<input[^>]*value="{picked.id}"[^>]*checked', html)
    assert len(re.findall(r'name="competences"[^>]*checked', html)) == 1
    assert not Campaign.objects.exists()


def _listed(client, school, query=""):
    html = client.get(url("campaigns", school) + query).content.decode()
    return sorted(re.findall(r'data-campaign="([^"]+)"', html)), html


@pytest.mark.django_db
def test_campaign_list_filters_by_name_owner_mine_and_status(client_for, school, teacher):
    from django.utils import timezone

    colleague = MembershipFactory(school=school, role="member", user__last_name="Durand").user
    make_campaign(school, teacher, name="Rentrée 4e")
    make_campaign(school, colleague, name="Rentrée 3e")
    old = make_campaign(school, teacher, name="Bilan 2025")
    Campaign.objects.filter(id=old.id).update(archived_at=timezone.now())
    client = client_for(teacher)
    assert _listed(client, school)[0] == ["Rentrée 3e", "Rentrée 4e"]
    assert _listed(client, school, "?nom=rentrée+4")[0] == ["Rentrée 4e"]
    assert _listed(client, school, f"?proprietaire={colleague.id}")[0] == ["Rentrée 3e"]
    assert _listed(client, school, "?mes=1&statut=toutes")[0] == ["Bilan 2025", "Rentrée 4e"]
    names, html = _listed(client, school, "?statut=archivees")
    assert names == ["Bilan 2025"] and "Archivée" in html
    names, html = _listed(client, school, "?statut=toutes")
    assert names == ["Bilan 2025", "Rentrée 3e", "Rentrée 4e"]
    assert html.count('class="fr-badge fr-badge--sm">Archivée') == 1
    assert _listed(client, school, "?archivees=1")[0] == ["Bilan 2025"]  # the old link still works


@pytest.mark.django_db
def test_campaign_list_bad_filters_are_ignored_not_500(client_for, school, teacher, other_school, other_school_admin):
    make_campaign(school, teacher, name="Ici")
    make_campaign(other_school, other_school_admin, name="Ailleurs")
    client = client_for(teacher)
    bad = ("?proprietaire=abc", "?statut=<script>", f"?proprietaire={other_school_admin.id}", "?nom=" + "x" * 500)
    for query in bad:
        response = client.get(url("campaigns", school) + query)
        assert response.status_code == 200, query
        assert "Ailleurs" not in response.content.decode()
    assert _listed(client, school, "?nom=%3Cscript%3E")[1].count("<script>") == 0


@pytest.mark.django_db
def test_campaign_list_htmx_gets_only_the_table(client_for, school, teacher):
    make_campaign(school, teacher, name="Rentrée 4e")
    html = client_for(teacher).get(url("campaigns", school) + "?nom=4e", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-campaign="Rentrée 4e"' in html and "<h1>" not in html


@pytest.mark.django_db
def test_campaign_list_query_count_is_fixed_with_filters(client_for, school, teacher):
    from django.utils import timezone

    client = client_for(teacher)
    query = "?statut=toutes&nom=C"
    make_campaign(school, teacher, name="C")
    with CaptureQueriesContext(connection) as few:
        client.get(url("campaigns", school) + query)
    for n in range(6):
        owner = MembershipFactory(school=school, role="member").user
        campaign = make_campaign(school, owner, name=f"C{n}")
        Participation.objects.create(campaign=campaign, pupil=PupilFactory(school=school))
        if n % 2:
            Campaign.objects.filter(id=campaign.id).update(archived_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        names, html = _listed(client, school, query)
    assert len(many) == len(few)
    assert len(names) == 7 and html.count(">Archivée<") == 3
