"""The principal's yearly checklist (from the Pix vade-mecum), ticked from real data.

An item that data can tell is ticked from the data only. An item that no data can tell
(presenting Pix to the team, the certification) has a key and is ticked by hand by a
school admin, who is shown with the date (`ChecklistTick`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from orga.models import Division, Membership, Participation, School

from .wording import count_of


@dataclass
class Item:
    label: str
    done: bool = False
    detail: str = ""
    optional: bool = False
    url: str = ""
    key: str = ""  # an item ticked by hand: its ChecklistTick.item_key
    ticked_by: str = ""
    ticked_at: datetime.datetime | None = None


# The items no data can tell, ticked by hand: key → label.
MANUAL_ITEMS = {
    "present_team": "Présenter Pix et le cadre de référence des compétences numériques en conseil pédagogique",
    "share_calendar": "Partager avec les enseignants le calendrier de l'année (rentrée, formation, certification)",
    "choose_start_tests": "Choisir avec les enseignants le parcours de rentrée de chaque niveau",
    "organise_support": "Organiser l'accompagnement pédagogique selon les besoins",
    "certif_kit": "Consulter le kit de certification",
    "certif_sessions": "Planifier les sessions de certification",
    "certif_supervision": "Planifier la surveillance",
    "certif_invite": "Convoquer les élèves",
    "certif_supervise": "Superviser les sessions de certification",
    "certif_finalise": "Finaliser les sessions",
    "certif_registry": "Importer les résultats dans le {registry}",
}


def _manual(key, ticks, **labels):
    tick = ticks.get(key)
    return Item(
        MANUAL_ITEMS[key].format(**labels),
        tick is not None,
        key=key,
        ticked_by=(tick.ticked_by.display_name if tick and tick.ticked_by else ""),
        ticked_at=tick.ticked_at if tick else None,
    )


@dataclass
class Step:
    number: int
    verb: str
    title: str
    period: str
    items: list[Item] = field(default_factory=list)

    @property
    def done(self):
        required = [item for item in self.items if not item.optional]
        return bool(required) and all(item.done for item in required)

    @property
    def progress(self):
        required = [item for item in self.items if not item.optional]
        return sum(item.done for item in required), len(required)


def _facts(school: School):
    admins = school.memberships.filter(is_active=True, role=Membership.Role.ADMIN)
    members = school.memberships.filter(is_active=True, role=Membership.Role.MEMBER)
    return {
        "admin_signed_in": admins.filter(user__last_login__isnull=False).exists(),
        "pupils": school.pupils.filter(is_active=True).count(),
        "admins": admins.count(),
        "teachers": members.count(),
        "campaigns": school.campaigns.count(),
        # Pupils, not participations: a pupil in two campaigns has started once.
        "participants": Participation.objects.current()
        .filter(campaign__school=school)
        .values("pupil_id")
        .distinct()
        .count(),
        "shared": Participation.objects.current()
        .filter(campaign__school=school, status="shared")
        .values("pupil_id")
        .distinct()
        .count(),
        "reports": school.reports.count(),
        # A class is followed once a teacher chose it or someone set its objective in « Mes classes ».
        "followed_classes": Division.objects.filter(school=school)
        .filter(Q(teachers__is_active=True) | Q(objective__isnull=False))
        .distinct()
        .count(),
    }


def checklist_for(school: School):
    facts = _facts(school)
    grade = school.certification_grade_label
    registry = school.results_registry_label
    college = school.type == School.Type.COLLEGE
    pupils = facts["pupils"]
    imports_url = reverse("orga:imports", kwargs={"uai": school.uai})
    members_url = reverse("orga:members", kwargs={"uai": school.uai})
    campaigns_url = reverse("orga:campaigns", kwargs={"uai": school.uai})
    classes_url = reverse("orga:my_classes", kwargs={"uai": school.uai})
    ticks = {tick.item_key: tick for tick in school.checklist_ticks.select_related("ticked_by")}
    followed = facts["followed_classes"]
    return [
        Step(
            1,
            "Initialiser",
            "l'espace de l'établissement",
            "Pré-rentrée → vacances de la Toussaint",
            [
                Item("Accéder à l'espace de l'établissement", facts["admin_signed_in"]),
                Item(
                    "Importer la liste des élèves",
                    pupils > 0,
                    f"{count_of(pupils, 'élève')} importé{'s' if pupils > 1 else ''}" if pupils else "",
                    url=imports_url,
                ),
                Item("Inviter un co-administrateur", facts["admins"] >= 2, optional=True, url=members_url),
            ],
        ),
        Step(
            2,
            "Présenter",
            "Pix à l'équipe pédagogique",
            "Pré-rentrée → vacances de la Toussaint",
            [_manual(key, ticks) for key in ("present_team", "share_calendar", "choose_start_tests")],
        ),
        Step(
            3,
            "Lancer",
            "les parcours de rentrée",
            "Pré-rentrée → vacances de la Toussaint",
            [
                Item(
                    "Récupérer les codes campagne et choisir les modalités (à distance et/ou en classe)",
                    facts["campaigns"] > 0,
                    f"{facts['campaigns']} campagne{'s' if facts['campaigns'] > 1 else ''}"
                    if facts["campaigns"]
                    else "",
                    url=campaigns_url,
                ),
                Item(
                    "Diffuser le code aux élèves et informer les responsables légaux",
                    facts["participants"] > 0,
                    (
                        f"{count_of(facts['participants'], 'élève')} "
                        f"{'ont' if facts['participants'] > 1 else 'a'} commencé"
                    )
                    if facts["participants"]
                    else "",
                    url=campaigns_url,
                ),
                Item(
                    "Vérifier l'avancée des élèves",
                    followed > 0,
                    f"{count_of(followed, 'classe suivie', 'classes suivies')}" if followed else "",
                    url=classes_url,
                ),
            ],
        ),
        Step(
            4,
            "Impulser",
            "la formation des élèves",
            "Novembre → vacances de Noël",
            [
                Item(
                    "Inviter les enseignants",
                    facts["teachers"] > 0,
                    f"{facts['teachers']} enseignant{'s' if facts['teachers'] > 1 else ''}"
                    if facts["teachers"]
                    else "",
                    url=members_url,
                ),
                Item(
                    "Analyser les résultats avec l'équipe pédagogique",
                    facts["shared"] > 0 and facts["reports"] > 0,
                    f"résultats reçus de {count_of(facts['shared'], 'élève')}, {count_of(facts['reports'], 'export')}"
                    if facts["shared"]
                    else "",
                    url=campaigns_url,
                ),
                _manual("organise_support", ticks),
            ],
        ),
        Step(
            5,
            "Préparer",
            f"la certification des {grade}",
            "Janvier → vacances d'hiver" if college else "Septembre → octobre",
            [_manual(key, ticks) for key in ("certif_kit", "certif_sessions", "certif_supervision")],
        ),
        Step(
            6,
            "Organiser",
            f"la certification des {grade}",
            "Mars → juin" if college else "Novembre → mars",
            [
                _manual(key, ticks, registry=registry)
                for key in ("certif_invite", "certif_supervise", "certif_finalise", "certif_registry")
            ],
        ),
    ]
