"""The principal's yearly checklist (from the Pix vade-mecum), ticked from real data.

An item that data can tell is ticked from the data only (the certification sessions, their invigilators,
candidates and finalisation included). An item that no data can tell (presenting Pix to the team, the
certification kit, supervising the sessions) has a key and is ticked by hand by a school admin, who is shown with
the date (`ChecklistTick`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from certif.models import HandOver, Session
from orga.models import Division, Membership, Participation, School, SiecleImport
from orga.schools.models import current_school_year, school_year_span

from .guides import Guide, guide_for
from .windows import StepState, state_of, step_windows
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
    "certif_invite": "Convoquer les élèves",
    "certif_supervise": "Superviser les sessions de certification",
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
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    state: StepState | None = None
    guide: Guide | None = None

    @property
    def period_label(self):
        """ "du 31/08/2026 au 16/10/2026", or the step's usual period when the calendar is not known."""
        if self.starts_on and self.ends_on:
            return f"du {self.starts_on:%d/%m/%Y} au {self.ends_on:%d/%m/%Y}"
        return self.period

    @property
    def done(self):
        required = [item for item in self.items if not item.optional]
        return bool(required) and all(item.done for item in required)

    @property
    def progress(self):
        required = [item for item in self.items if not item.optional]
        return sum(item.done for item in required), len(required)


def _last_import(school: School, span):
    """The year's last pupils' list imported: when, and how many pupils it held."""
    last = (
        SiecleImport.objects.filter(school=school, status=SiecleImport.Status.DONE, created_at__date__range=span)
        .order_by("-created_at")
        .only("created_at", "finished_at", "report")
        .first()
    )
    if last is None:
        return None, 0
    report = last.report or {}
    held = sum(report.get(key, 0) for key in ("created", "updated", "unchanged"))
    return timezone.localtime(last.finished_at or last.created_at), held


def _facts(school: School, school_year):
    """What the school did this school year: its pupils' list, campaigns, their participants and reports."""
    span = school_year_span(school_year)
    admins = school.memberships.filter(is_active=True, role=Membership.Role.ADMIN)
    members = school.memberships.filter(is_active=True, role=Membership.Role.MEMBER)
    year_participations = Participation.objects.current().filter(
        campaign__school=school, campaign__created_at__date__range=span
    )
    imported_at, imported = _last_import(school, span)
    return {
        "admin_signed_in": admins.filter(user__last_login__isnull=False).exists(),
        "pupils": school.pupils.filter(is_active=True).count(),
        "imported_at": imported_at,
        "imported": imported,
        "admins": admins.count(),
        "teachers": members.count(),
        "campaigns": school.campaigns.filter(created_at__date__range=span).count(),
        # Pupils, not participations: a pupil in two campaigns has started once.
        "participants": year_participations.values("pupil_id").distinct().count(),
        "shared": year_participations.filter(status="shared").values("pupil_id").distinct().count(),
        "reports": school.reports.filter(created_at__date__range=span).count(),
        # A class is followed once a teacher chose it or someone set its objective in « Mes classes ».
        "followed_classes": Division.objects.filter(school=school)
        .filter(Q(teachers__is_active=True) | Q(objective__isnull=False))
        .distinct()
        .count(),
    }


def certifiable_grade_pupils(school: School):
    """The school's active pupils of the grade that sits the certification, when their data can tell it.

    In collège, the 3e: a SIECLE MEF code beginning with 103, or with no MEF code a class whose name starts
    with 3 (« 3e B », « 3A »). In lycée the MEF codes of Terminale, CAP, BTS and CPGE are too many to tell
    reliably here: None, and the checklist counts the enrolled candidates only."""
    if school.type != School.Type.COLLEGE:
        return None
    # The classes as a subquery of the school's own: a join on the class made PostgreSQL hash every school's.
    third_grade = school.divisions.filter(name__startswith="3")
    return school.pupils.filter(is_active=True).filter(
        Q(mef_code__startswith="103") | Q(mef_code="", division__in=third_grade)
    )


def _certification_facts(school: School, school_year):
    """The school's certification this school year, in three queries whatever the number of sessions."""
    sessions = Session.objects.filter(school=school, date__range=school_year_span(school_year))
    facts = sessions.aggregate(
        sessions=Count("id", distinct=True),
        invigilated=Count("id", distinct=True, filter=Q(invigilators__isnull=False)),
        candidates=Count("candidates", distinct=True),
        # Finalised or later; a session of an earlier day still open is one left to finalise.
        finalised=Count("id", distinct=True, filter=~Q(status=Session.Status.CREATED)),
        unfinalised_past=Count(
            "id", distinct=True, filter=Q(status=Session.Status.CREATED, date__lt=timezone.localdate())
        ),
        published=Count("id", distinct=True, filter=Q(status=Session.Status.PROCESSED)),
    )
    facts["school_year"] = school_year
    # Apart: summed over the joins above, a session's places would count once per candidate.
    facts["places"] = sessions.aggregate(places=Sum("capacity"))["places"] or 0
    # The next open session: enrolment and its documents are reached from there.
    facts["next_open"] = sessions.planned().in_calendar_order().values_list("id", flat=True).first()
    grade_pupils = certifiable_grade_pupils(school)
    facts["grade_pupils"] = facts["grade_enrolled"] = None
    if grade_pupils is not None:
        counts = grade_pupils.aggregate(
            total=Count("id", distinct=True),
            enrolled=Count("id", distinct=True, filter=Q(certification_candidacies__session__in=sessions)),
        )
        facts["grade_pupils"], facts["grade_enrolled"] = counts["total"], counts["enrolled"]
    return facts


def _certification_items(school: School, school_year, ticks):
    """Steps 5 and 6: planning, invigilation, enrolment and finalisation are ticked from the sessions, the results
    import from the hand-overs; the kit, the convocations handed out and supervising are ticked by hand."""
    facts = _certification_facts(school, school_year)
    uai = {"uai": school.uai}
    sessions, invigilated, candidates = facts["sessions"], facts["invigilated"], facts["candidates"]
    list_url = reverse("certif:sessions", kwargs=uai)
    next_open = facts["next_open"]
    grade_pupils, grade = facts["grade_pupils"], school.certification_grade_label
    planned_detail = ""
    if sessions:
        places = count_of(facts["places"], "place")
        planned_detail = f"{count_of(sessions, 'session')} en {facts['school_year']}, {places}"
        if grade_pupils:
            planned_detail += f" pour {count_of(grade_pupils, f'élève de {grade}', f'élèves de {grade}')}"
            if facts["places"] < grade_pupils:
                planned_detail += f" : il manque {count_of(grade_pupils - facts['places'], 'place')}"
    planned = Item(
        "Planifier les sessions de certification",
        sessions > 0,
        planned_detail,
        url=list_url if sessions else reverse("certif:session_create", kwargs=uai),
    )
    missing = sessions - invigilated
    supervision = Item(
        "Planifier la surveillance",
        sessions > 0 and missing == 0,
        (f"{count_of(missing, 'session')} sans surveillant" if missing else "chaque session a un surveillant")
        if sessions
        else "",
        url=reverse("certif:surveillance", kwargs=uai),
    )
    if grade_pupils:
        enrolled = facts["grade_enrolled"]
        enrolled_detail = (
            f"{enrolled} / {grade_pupils} élèves de {grade} inscrit{'s' if enrolled > 1 else ''} à une session"
        )
    else:
        enrolled_detail = f"{count_of(candidates, 'candidat')} inscrit{'s' if candidates > 1 else ''}"
    enrolment = Item(
        "Inscrire les élèves aux sessions",
        candidates > 0,
        enrolled_detail if candidates or facts["grade_pupils"] else "",
        url=reverse("certif:enrolment", kwargs={**uai, "session_id": next_open}) if next_open else list_url,
    )
    finalised, left = facts["finalised"], facts["unfinalised_past"]
    finalise = Item(
        "Finaliser les sessions",
        finalised > 0 and left == 0,
        (
            f"{count_of(finalised, 'session finalisée', 'sessions finalisées')}"
            + (f", {left} à finaliser" if left else "")
            + f", résultats publiés pour {count_of(facts['published'], 'session')}"
        )
        if finalised or left
        else "",
        url=reverse("certif:results_by_class", kwargs=uai) if facts["published"] else list_url,
    )
    invite = _manual("certif_invite", ticks)
    # The convocations are printed from the session's page.
    invite.url = reverse("certif:session_detail", kwargs={**uai, "session_id": next_open}) if next_open else list_url
    return [_manual("certif_kit", ticks), planned, supervision], [
        enrolment,
        invite,
        _manual("certif_supervise", ticks),
        finalise,
        _registry_item(school, facts, list_url),
    ]


def _registry_item(school: School, facts, list_url):
    """Ticked once the school year's results were handed over in any way: pulled by the livret scolaire through
    the API, exported for it (CSV, Excel), or printed as attestations. The livret scolaire pulls all year long: a
    pull counts only once a session of the year has its results published."""
    last = None
    if facts["published"]:
        last = (
            HandOver.objects.filter(school=school, school_year=facts["school_year"])
            .order_by("-created_at", "-id")
            .first()
        )
    detail = ""
    if last is not None:
        how = {
            HandOver.Kind.API_PULL: "récupérés par le livret scolaire",
            HandOver.Kind.EXPORT_CSV: "export CSV",
            HandOver.Kind.EXPORT_XLSX: "export Excel",
            HandOver.Kind.ATTESTATIONS: "attestations",
        }[last.kind]
        detail = f"Résultats transmis le {timezone.localtime(last.created_at):%d/%m/%Y} ({how})"
    return Item(
        f"Importer les résultats dans le {school.results_registry_label}",
        last is not None,
        detail,
        url=reverse("certif:results_by_class", kwargs={"uai": school.uai}) if facts["published"] else list_url,
    )


@dataclass
class YearProgress:
    """The year at a glance: the required items done, and the steps done."""

    items_done: int
    items: int
    steps_done: int
    steps: int

    @property
    def percent(self):
        return round(100 * self.items_done / self.items) if self.items else 0


def year_progress(steps):
    counts = [step.progress for step in steps]
    return YearProgress(
        items_done=sum(done for done, _total in counts),
        items=sum(total for _done, total in counts),
        steps_done=sum(step.done for step in steps),
        steps=len(steps),
    )


def _share_of(count, pupils):
    """ " (74 % des élèves)", or nothing when the school has no pupils to compare with."""
    return f" ({round(100 * count / pupils)} % des élèves)" if pupils else ""


def _import_item(facts, imports_url):
    """Ticked by a pupils' list imported this school year: last year's list does not tell this year's classes."""
    imported_at, pupils = facts["imported_at"], facts["pupils"]
    if imported_at is not None:
        detail = f"Liste importée le {imported_at:%d/%m/%Y} : {count_of(facts['imported'], 'élève')}"
    elif pupils:
        detail = f"{count_of(pupils, 'élève')} d'une liste d'une année précédente : importez celle de cette année"
    else:
        detail = ""
    return Item("Importer la liste des élèves", imported_at is not None, detail, url=imports_url)


def _progress_detail(facts, followed):
    """ "3 campagnes, 74 % des élèves ont envoyé leurs résultats, 4 classes suivies"."""
    parts = []
    if facts["campaigns"]:
        shared, pupils = facts["shared"], facts["pupils"]
        sent = f"{round(100 * shared / pupils)} % des élèves" if pupils else count_of(shared, "élève")
        verb = "a" if not pupils and shared <= 1 else "ont"
        parts.append(f"{count_of(facts['campaigns'], 'campagne')}, {sent} {verb} envoyé leurs résultats")
    if followed:
        parts.append(count_of(followed, "classe suivie", "classes suivies"))
    return ", ".join(parts)


def _ticks(school: School, school_year):
    ticks = school.checklist_ticks.filter(school_year=school_year).select_related("ticked_by")
    return {tick.item_key: tick for tick in ticks}


def checklist_for(school: School, school_year=None):
    """The school's six steps, each with its window in the school year (the current one by default) and its state
    today."""
    school_year = school_year or current_school_year()
    steps = _steps(school, school_year)
    windows = step_windows(school, school_year)
    today = timezone.localdate()
    college = school.type == School.Type.COLLEGE
    for step in steps:
        step.guide = guide_for(
            step.number,
            college=college,
            grade=school.certification_grade_label,
            registry=school.results_registry_label,
        )
        window = windows[step.number]
        step.starts_on, step.ends_on = window.starts_on, window.ends_on
        step.state = state_of(step.done, step.starts_on, step.ends_on, today)
    return steps


def _steps(school: School, school_year):
    facts = _facts(school, school_year)
    ticks = _ticks(school, school_year)
    preparing, organising = _certification_items(school, school_year, ticks)
    grade = school.certification_grade_label
    college = school.type == School.Type.COLLEGE
    pupils = facts["pupils"]
    imports_url = reverse("orga:imports", kwargs={"uai": school.uai})
    members_url = reverse("orga:members", kwargs={"uai": school.uai})
    campaigns_url = reverse("orga:campaigns", kwargs={"uai": school.uai})
    classes_url = reverse("orga:my_classes", kwargs={"uai": school.uai})
    followed = facts["followed_classes"]
    return [
        Step(
            1,
            "Initialiser",
            "l'espace de l'établissement",
            "Pré-rentrée → vacances de la Toussaint",
            [
                Item("Accéder à l'espace de l'établissement", facts["admin_signed_in"]),
                _import_item(facts, imports_url),
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
                        + _share_of(facts["participants"], pupils)
                    )
                    if facts["participants"]
                    else "",
                    url=campaigns_url,
                ),
                Item(
                    "Vérifier l'avancée des élèves",
                    followed > 0,
                    _progress_detail(facts, followed),
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
            preparing,
        ),
        Step(
            6,
            "Organiser",
            f"la certification des {grade}",
            "Mars → juin" if college else "Novembre → mars",
            organising,
        ),
    ]
