"""Template filters every template may use without `{% load %}` (a builtin of the template engine)."""

from django import template

from .wording import count_of as _count_of

register = template.Library()


@register.filter
def count_of(number, words):
    """`{{ n|count_of:"élève" }}` → "0 élève", "2 élèves"; an irregular plural after a comma:
    `{{ n|count_of:"élève actif,élèves actifs" }}`."""
    singular, _, plural = words.partition(",")
    return _count_of(number, singular, plural or None)
