"""Counts in French words, for every app's pages and documents."""


def count_of(number, singular, plural=None):
    """ "3 élèves", "0 élève": French puts 0 and 1 in the singular."""
    return f"{number} {singular if number <= 1 else (plural or singular + 's')}"
