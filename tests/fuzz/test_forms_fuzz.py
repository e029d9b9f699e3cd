"""Every form of the project fuzzed: for each URL pattern, each role that may post to it sends hostile values
(hypothesis) in the fields its pages show, or in a few common names for the views that only take a POST.

What must hold: no server error (an exception fails the test with the input that caused it), and a refusal writes
nothing: when the answer is a form shown again with its errors, or a 4xx, no table has gained or lost a row.
Each URL runs inside a savepoint rolled back afterwards, so the world is the same for every URL."""

import copy
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_authorization_matrix import ACCOUNT_KWARGS, MATRIX, QUERIES, ROLES, World, _client, kwargs_of

from .strategies import hostile_text

# Names a POST-only view may read, when no page shows its form.
COMMON_FIELDS = (
    *("name", "confirm", "code", "password", "email", "role", "divisions", "pupils", "category", "reason"),
    *("description", "comment", "action", "next", "value", "level", "extra_time", "candidate", "date"),
)
ERROR_MARKS = (b"fr-error-text", b"fr-input-group--error", b"fr-alert--error", b"fr-message--error",
               b"fr-select-group--error", b"fr-fieldset--error", b"fr-upload-group--error", b"errorlist")  # fmt: skip
# Rows a refusal may still write: the session of an anonymous visitor (its messages).
WRITABLE_ON_REFUSAL = {"django_session"}
# Signing out ends the session the other URLs need; the admin site is Django's own.
SKIPPED = {"account_logout"}
STATS = []  # (url, status, refused) of every POST, to check that the walk reached the forms
POSTING_ROLES = ("pupil", "teacher", "admin", "invigilator", "superuser")


class Forms(HTMLParser):
    """The POST forms of a page: [(action, {name: (type, [values])})]."""

    def __init__(self):
        super().__init__()
        self.forms, self._select = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.forms.append((attrs.get("action") or "", {}))
            else:
                self.forms.append(None)
            return
        if not self.forms or self.forms[-1] is None:
            return
        fields = self.forms[-1][1]
        name = attrs.get("name")
        if tag in ("input", "textarea", "select") and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text") if tag == "input" else tag
            fields.setdefault(name, (kind, []))
            if attrs.get("value") is not None:
                fields[name][1].append(attrs["value"])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and attrs.get("value") is not None:
            fields[self._select][1].append(attrs["value"])


def view_name(path, fallback):
    try:
        return resolve(urlparse(path).path).view_name if path else fallback
    except Resolver404:
        return None


def url_of(name, kwargs):
    return reverse(name, kwargs=kwargs.get(name)) + QUERIES.get(name, "")


def discover_fields(world, clients, kwargs):
    """{(url name, role): {field: (type, values)}} from every page each role may open."""
    found = {}
    for role, client in clients.items():
        for name, statuses in MATRIX.items():
            if statuses[ROLES.index(role)] != 200 or name in SKIPPED:
                continue
            response = client.get(url_of(name, kwargs))
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = Forms()
            parser.feed(response.content.decode(errors="replace"))
            for form in filter(None, parser.forms):
                target = view_name(form[0], name)
                if target:
                    found.setdefault((target, role), {}).update(form[1])
    return found


def row_counts():
    tables = sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy} - WRITABLE_ON_REFUSAL
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def value_strategy(kind, values):
    if kind == "file":
        return st.tuples(hostile_text, st.binary(max_size=400)).map(
            lambda pair: SimpleUploadedFile((pair[0] or "f")[:80], pair[1])
        )
    if values:
        return st.one_of(st.sampled_from(values), hostile_text)
    return hostile_text


def is_refusal(response):
    if 400 <= response.status_code < 500:
        return True
    return response.status_code == 200 and any(mark in response.content for mark in ERROR_MARKS)


def fuzz_one(client, url, fields):
    strategy = st.fixed_dictionaries({name: value_strategy(kind, values) for name, (kind, values) in fields.items()})

    @settings(max_examples=3, suppress_health_check=list(HealthCheck))
    @given(data=strategy)
    def post(data):
        with transaction.atomic():
            before = row_counts()
            response = client.post(url, data)  # an exception here is the server error
            STATS.append((url, response.status_code, is_refusal(response)))
            assert response.status_code < 500, (url, response.status_code)
            if is_refusal(response):
                after = row_counts()
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                assert not changed, f"{url} a refusé ({response.status_code}) mais a écrit : {changed}"
            transaction.set_rollback(True)

    post()


@pytest.mark.django_db
def test_every_form_survives_hostile_values(framework, mailoutbox, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # what a POST queues on commit never runs in this transaction
    world = World()
    kwargs = {**kwargs_of(world), **ACCOUNT_KWARGS}
    clients = {role: _client(world, role) for role in POSTING_ROLES}
    fields = discover_fields(world, clients, kwargs)
    failures, posted = {}, 0
    for name in sorted(MATRIX):
        if name in SKIPPED:
            continue
        statuses = dict(zip(ROLES, MATRIX[name], strict=True))
        roles = [r for r in POSTING_ROLES if statuses[r] == 200 or (name, r) in fields]
        if not roles and set(statuses.values()) == {405}:
            roles = ["admin", "pupil", "invigilator"]
        for role in roles:
            client = clients[role]
            cookies = copy.deepcopy(client.cookies)
            known = fields.get((name, role)) or {field: ("text", []) for field in COMMON_FIELDS}
            try:
                fuzz_one(client, url_of(name, kwargs), known)
            except Exception as error:  # noqa: BLE001 — every URL is tried, the failures listed together
                failures[f"{name} ({role})"] = f"{error.__class__.__name__}: {error}"[:600]
            client.cookies = cookies
            posted += 1
    # The walk reached the project's forms (109 forms × roles, 362 URLs × roles when written), and hostile values
    # were refused with their messages, not only accepted or turned away at the door.
    assert len(fields) > 80 and posted > 300
    assert sum(1 for _url, status, refused in STATS if status == 200 and refused) > 50
    assert failures == {}, "\n\n".join(f"{key}: {message}" for key, message in failures.items())
