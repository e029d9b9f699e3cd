"""The school's journal as its admins read it: the events filtered by action and period, newest first, paged
in SQL, and the same rows as a CSV file (cells defused)."""

import datetime

from django.core.paginator import Paginator
from django.utils import timezone

from documents.tables import csv_bytes

from .models import AuditEvent

PAGE_SIZE = 50
CSV_HEADER = ["Date", "Auteur", "Action", "Description", "Type d'objet", "Objet", "Adresse"]
# What a page or the file reads of an event: the frozen labels, never a join.
FIELDS = ("id", "created_at", "actor_label", "action", "description", "target_type", "target_label", "address")


def _moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events(school, filters=None):
    """The school's events matching the (cleaned) filters, newest first; only the fields the journal shows."""
    found = AuditEvent.objects.of_school(school).only(*FIELDS)
    filters = filters or {}
    if filters.get("action"):
        found = found.filter(action=filters["action"])
    if filters.get("du"):
        found = found.filter(created_at__gte=_moment(filters["du"]))
    if filters.get("au"):
        found = found.filter(created_at__lt=_moment(filters["au"] + datetime.timedelta(days=1)))
    return found.newest_first()


def page_of(queryset, number):
    """One page of 50 (a COUNT and a LIMIT/OFFSET query); a wrong number gives the nearest page."""
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def csv_rows(queryset):
    for event in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor_label,
            event.get_action_display(),
            event.description,
            event.target_type,
            event.target_label,
            event.address or "",
        ]


def csv_file(queryset):
    return csv_bytes(CSV_HEADER, csv_rows(queryset))
