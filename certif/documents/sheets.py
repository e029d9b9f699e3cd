"""The session's printed documents: attendance sheet, convocations, invigilator's kit, blank incident report.

Each is a template laid out by WeasyPrint (documents/pdf.py). Built synchronously: a session holds at most
its capacity, and one convocation a page stays a few seconds even for a full room.
"""

import datetime
from itertools import groupby

from certif.sessions.models import Session
from documents.pdf import render_pdf

ARRIVE_EARLIER = datetime.timedelta(minutes=15)  # candidates are seated before the start
INCIDENT_ROWS = 12


def name_order(candidate):
    """The order of candidates on every printed list: by the name they bear, then their first names."""
    return (candidate.display_last_name.casefold(), candidate.first_names.casefold(), candidate.id)


def _sorted_candidates(session):
    return sorted(session.candidates.select_related("pupil__user"), key=name_order)


def session_context(session):
    """What every session document prints at its top (certif/documents/_facts.html)."""
    longest = max((c.extra_time_percentage for c in session.candidates.all()), default=0)
    return {
        "session": session,
        "school": session.school,
        "invigilators": list(session.invigilators.all()),
        "arrive_at": (session.starts_at - ARRIVE_EARLIER).time(),
        "ends_at": session.ends_at(longest).time(),
    }


def attendance_context(session):
    return session_context(session) | {"candidates": _sorted_candidates(session)}


def convocations_context(session):
    """Candidates grouped by class, one class after the other, each sorted by name."""
    candidates = sorted(_sorted_candidates(session), key=lambda c: c.division_name.casefold())
    classes = [(name, list(group)) for name, group in groupby(candidates, key=lambda c: c.division_name)]
    for _name, group in classes:
        for candidate in group:
            candidate.ends_at = session.ends_at(candidate.extra_time_percentage).time()
            candidate.username = candidate.pupil.user.username if candidate.pupil and candidate.pupil.user else ""
    return session_context(session) | {"classes": classes}


def kit_context(session):
    return session_context(session) | {"candidate_count": session.candidates.count()}


def incident_context(session):
    return session_context(session) | {"rows": range(INCIDENT_ROWS)}


# slug in the URL → (template, file name stem, context builder)
DOCUMENTS = {
    "emargement": ("certif/documents/attendance.html", "emargement", attendance_context),
    "convocations": ("certif/documents/convocations.html", "convocations", convocations_context),
    "kit-surveillant": ("certif/documents/kit.html", "kit-surveillant", kit_context),
    "pv-incident": ("certif/documents/incident.html", "pv-incident", incident_context),
}


def filename(kind, session: Session):
    return f"{DOCUMENTS[kind][1]}-session-{session.number}.pdf"


def render(kind, session):
    template, _stem, build = DOCUMENTS[kind]
    return render_pdf(template, build(session))
