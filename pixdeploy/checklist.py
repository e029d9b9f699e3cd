"""The principal's yearly checklist (from the Pix vade-mecum), ticked from real data.

An item is ticked only when the data says it is done; an item that no data can
tell yet is shown as "à faire", never ticked by hand.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from orga.models import Membership, Participation, School

from .wording import count_of


@dataclass
class Item:
    label: str
    done: bool = False
    detail: str = ""
    optional: bool = False
    url: str = ""


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
        Step(2, "Présenter", "Pix à l'équipe pédagogique", "Pré-rentrée → vacances de la Toussaint", []),
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
                Item("Vérifier l'avancée des élèves"),
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
                Item("Organiser l'accompagnement pédagogique selon les besoins"),
            ],
        ),
        Step(
            5,
            "Préparer",
            f"la certification des {grade}",
            "Janvier → vacances d'hiver" if college else "Septembre → octobre",
            [
                Item("Consulter le kit de certification"),
                Item("Planifier les sessions de certification"),
                Item("Planifier la surveillance"),
            ],
        ),
        Step(
            6,
            "Organiser",
            f"la certification des {grade}",
            "Mars → juin" if college else "Novembre → mars",
            [
                Item("Convoquer les élèves"),
                Item("Superviser les sessions de certification"),
                Item("Finaliser les sessions"),
                Item(f"Importer les résultats dans le {registry}"),
            ],
        ),
    ]
