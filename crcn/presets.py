"""Ready-made sets of target competences for campaigns, by theme and by discipline (no Django import).

Chosen from the CRCN's own examples of how each discipline contributes to the competences,
so that a teacher can launch a campaign in two clicks and still pick competences by hand.
"""

from dataclasses import dataclass

ALL_COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4")
ALL_COMPETENCES += ("4.1", "4.2", "4.3", "5.1", "5.2")


@dataclass(frozen=True)
class Preset:
    code: str
    group: str  # "Thème" or "Discipline"
    label: str
    competences: tuple[str, ...]
    description: str = ""


PRESETS = (
    Preset(
        "rentree-6e",
        "Thème",
        "Parcours de rentrée 6e",
        ("1.1", "2.1", "3.1", "4.1", "5.1"),
        "Les bases : chercher, échanger, écrire, se protéger, se dépanner.",
    ),
    Preset(
        "rentree-5e",
        "Thème",
        "Parcours de rentrée 5e",
        ("1.1", "1.2", "2.2", "3.2", "4.2"),
        "Organiser ses fichiers, publier, créer du multimédia, protéger sa vie privée.",
    ),
    Preset(
        "rentree-4e",
        "Thème",
        "Parcours de rentrée 4e",
        ("1.3", "2.3", "3.3", "3.4", "4.3"),
        "Traiter des données, collaborer, programmer, prendre soin de soi.",
    ),
    Preset(
        "rentree-3e",
        "Thème",
        "Parcours de rentrée 3e (préparation à la certification)",
        tuple(ALL_COMPETENCES),
        "Les 16 compétences, pour se préparer à la certification.",
    ),
    Preset(
        "rentree-lycee",
        "Thème",
        "Parcours de rentrée lycée",
        tuple(ALL_COMPETENCES),
        "Les 16 compétences, pour se préparer à la certification de Terminale.",
    ),
    Preset("16-competences", "Thème", "Les 16 compétences", tuple(ALL_COMPETENCES), "Un profil complet."),
    Preset("francais", "Discipline", "Français", ("1.1", "2.2", "3.1", "3.3", "4.2")),
    Preset("mathematiques", "Discipline", "Mathématiques", ("1.2", "1.3", "3.4", "5.1")),
    Preset("histoire-geographie", "Discipline", "Histoire-géographie et EMC", ("1.1", "2.2", "2.4", "4.2")),
    Preset("sciences", "Discipline", "Sciences (SVT, physique-chimie)", ("1.2", "1.3", "3.2", "4.3")),
    Preset("technologie", "Discipline", "Technologie", ("3.4", "4.1", "5.1", "5.2")),
    Preset("langues", "Discipline", "Langues vivantes", ("2.1", "2.3", "3.2")),
    Preset("arts", "Discipline", "Arts plastiques et éducation musicale", ("3.2", "3.3", "2.2")),
    Preset(
        "documentation", "Discipline", "Documentation (professeur documentaliste)", ("1.1", "1.2", "2.2", "2.4", "4.2")
    ),
    Preset("eps", "Discipline", "Éducation physique et sportive", ("1.3", "4.3", "2.3")),
)
PRESETS_BY_CODE = {preset.code: preset for preset in PRESETS}


def preset_choices():
    """Grouped choices for a select: [(group, [(code, label), …]), …]."""
    groups = {}
    for preset in PRESETS:
        groups.setdefault(preset.group, []).append((preset.code, preset.label))
    return list(groups.items())
