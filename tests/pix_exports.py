"""Pix's export files, written from Pix's rules (pix-facts.md) for the import tests: a campaign's results export
(Pix Orga, school managing its pupils) and a session's results (Pix Certif)."""

TITLES = {
    "1.1": "Mener une recherche et une veille d'information",
    "1.2": "Gérer des données",
    "1.3": "Traiter des données",
    "2.1": "Interagir",
    "2.2": "Partager et publier",
    "2.3": "Collaborer",
    "2.4": "S'insérer dans le monde numérique",
    "3.1": "Développer des documents textuels",
    "3.2": "Développer des documents multimédia",
    "3.3": "Adapter les documents à leur finalité",
    "3.4": "Programmer",
    "4.1": "Sécuriser l'environnement numérique",
    "4.2": "Protéger les données personnelles et la vie privée",
    "4.3": "Protéger la santé, le bien-être et l'environnement",
    "5.1": "Résoudre des problèmes techniques",
    "5.2": "Construire un environnement numérique",
}
AREAS = {"1": "Information et données", "2": "Communication et collaboration"}
BASE = [
    "Nom de l'organisation",
    "ID Campagne",
    "Code",
    "Nom de la campagne",
    "Parcours",
    "Nom du Participant",
    "Prénom du Participant",
    "Classe",
    "% de progression",
    "Date et heure de début (Europe/Paris)",
    "Partage (O/N)",
    "Date et heure du partage (Europe/Paris)",
    "% maitrise de l'ensemble des acquis du profil",
]
CERTIF_HEADER = [
    "Numéro de certification",
    "Prénom",
    "Nom",
    "Date de naissance",
    "Lieu de naissance",
    "Identifiant Externe",
    "Type de certification",
    "Statut",
    "Niveau",
    "Score en Pix",
    *TITLES,
    "Commentaire jury pour l’organisation",  # Pix writes a typographic apostrophe here
    "Session",
    "Centre de certification",
    "Date de passage de la certification",
]


def _cell(value):
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(("=", "+", "-", "@")) and text != "-":
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def _ratio(value):
    return "NA" if value is None else f"{value:g}".replace(".", ",")


def campaign_csv(participants, *, organisation, campaign_id=4521, code="QRTWHB274", codes=("1.1", "1.2", "2.1")):
    """Pix Orga's export. `participants`: dicts with last, first, division, shared (bool), mastery and
    competences {code: ratio}."""
    header = list(BASE)
    for competence in codes:
        title = TITLES[competence]
        header += [
            f"% de maitrise des acquis de la compétence {title}",
            f"Nombre d'acquis du profil cible dans la compétence {title}",
            f"Acquis maitrisés dans la compétence {title}",
        ]
    for area in sorted({code[0] for code in codes}):
        header += [
            f"% de maitrise des acquis du domaine {AREAS[area]}",
            f"Nombre d'acquis du profil cible du domaine {AREAS[area]}",
            f"Acquis maitrisés du domaine {AREAS[area]}",
        ]
    lines = [";".join(_cell(name) for name in header)]
    for p in participants:
        shared = p.get("shared", True)
        cells = [
            _cell(organisation),
            str(campaign_id),
            _cell(code),
            _cell("Rentrée 3e"),
            _cell("Parcours de rentrée"),
            _cell(p["last"]),
            _cell(p["first"]),
            _cell(p.get("division", "")),
            _ratio(1 if shared else 0.5),
            "02/10/2026 09:15",
            _cell("Oui" if shared else "Non"),
            "02/10/2026 10:02" if shared else "NA",
            _ratio(p.get("mastery") if shared else None),
        ]
        for c in codes:
            value = p.get("competences", {}).get(c) if shared else None
            cells += [_ratio(value), "10", "NA" if value is None else str(round(10 * value))]
        for _area in sorted({c[0] for c in codes}):
            cells += ["NA", "NA", "NA"]
        lines.append(";".join(cells))
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def certif_csv(candidates, *, centre, session=12345, taken_on="14/03/2027"):
    """Pix Certif's session results. `candidates`: dicts with number, first, last, birthdate (DD/MM/YYYY),
    external_id, status, level, score, competences {code: level}."""
    lines = [";".join(_cell(name) for name in CERTIF_HEADER)]
    for c in candidates:
        status = c.get("status", "Validée")
        marks = status == "Validée"
        cells = [
            str(c["number"]),
            _cell(c["first"]),
            _cell(c["last"]),
            _cell(c["birthdate"]),
            _cell("Lyon"),
            _cell(c.get("external_id", "")),
            _cell("Pix"),
            _cell(status),
            _cell(c.get("level", "-")),
            str(c.get("score", 0)) if status != "Annulée" else _cell("-"),
        ]
        for code in TITLES:
            level = c.get("competences", {}).get(code)
            cells.append(str(level) if marks and level is not None else _cell("-"))
        cells += [_cell(c.get("comment", "")), str(session), _cell(centre), _cell(taken_on)]
        lines.append(";".join(cells))
    return ("\ufeff" + "\n".join(lines)).encode()
