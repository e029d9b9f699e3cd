"""The school holidays' zone (A, B or C) of an académie, as set by the ministry since 2016 (Caen and Rouen merged into
Normandie in 2020). Corse and the overseas académies have calendars of their own, set by their rectorat: no zone.

Django-free: a pure mapping, read from the school's académie (free text, as typed by whoever created the school).
"""

import unicodedata

ZONES = {
    "A": ("Besançon", "Bordeaux", "Clermont-Ferrand", "Dijon", "Grenoble", "Limoges", "Lyon", "Poitiers"),
    "B": (
        "Aix-Marseille",
        "Amiens",
        "Caen",
        "Lille",
        "Nancy-Metz",
        "Nantes",
        "Nice",
        "Normandie",
        "Orléans-Tours",
        "Reims",
        "Rennes",
        "Rouen",
        "Strasbourg",
    ),
    "C": ("Créteil", "Montpellier", "Paris", "Toulouse", "Versailles"),
}


def academie_key(name):
    """The key an académie's spellings share: « Académie d'Orléans Tours » → "orleanstours" (no accents, case,
    prefix, spaces or hyphens)."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower().strip()
    for prefix in ("academie de ", "academie d'", "academie d’", "academie "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return "".join(char for char in text if char.isalnum())


_ZONE_OF = {academie_key(academie): zone for zone, academies in ZONES.items() for academie in academies}


def zone_of(academie):
    """ "A", "B" or "C"; None for Corse, the overseas académies and a name it does not know."""
    return _ZONE_OF.get(academie_key(academie))
