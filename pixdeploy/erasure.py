"""A pupil's data erased (RGPD, right to erasure and limited retention): asked by a school admin, or by the nightly
purge of the pupils disabled for more than PUPIL_RETENTION_YEARS.

Erasing anonymises rather than deletes: the pupil's row, their participations and certification results stay, so
that a campaign's figures, a class's progress and the school's certification counts still add up, but nothing in
them names the pupil any more. In one transaction, under the pupil's row lock (a second submission finds the pupil
erased and does nothing):

- the pupil: names, INE (replaced by a placeholder no real INE takes), birth date and place, sex, MEF, status
  blanked, disabled; `erased_at` set;
- the account: deleted, and with it the ENT identities linked to it (allauth's social accounts and tokens), its
  e-mail addresses and digests; an open browser session is signed out (its user no longer exists);
- campaigns: the answers' typed values emptied (each answer's result stays: the analysis counts it);
- certification: a candidacy in a session still open and not started is withdrawn; every other candidacy loses the
  INE, birth place, sex, class and extra time copied at enrolment, the pupil's typed answers and alert messages,
  the issue reports' descriptions and the comment for the school. Its names and birth date are blanked too, except
  for a **validated certification whose results were published**: the certificate is the pupil's proof of level,
  handed over to the livret scolaire (LSU/LSL) and checked by anyone on /verifier/ with its code, so its certified
  identity (names, birth date) stays with the score, the levels and the code for CERTIFICATE_KEPT_YEARS after the
  session, and is then blanked, its code withdrawn, by the same nightly purge (`expire_certified_identities`);
- documents that printed the pupil's name: the session PDFs built in the background and the campaigns' exports are
  deleted (both are produced again on demand), and the import previews and reports of the school that named the
  pupil are rewritten without them;
- the journal (orga.audit): its events about the pupil or their account, and those they did, no longer name them;
  the erasure itself is recorded there (« Élève supprimé »), without the pupil's name.

What pixdeploy cannot reach is said on the « Données personnelles » page: results already pulled by the livret
scolaire, files already downloaded, and the backups until they expire.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certif.course.models import CertificationAlert, CertificationCourse, CertificationQuestion
from certif.documents.models import SessionDocument
from certif.finalisation.models import IssueReport
from certif.pix_imports.models import PixSessionImport
from certif.results.models import CertificationResult
from certif.sessions.models import Candidate, Session
from orga.audit.models import AuditEvent
from orga.audit.services import Action, record
from orga.models import Answer, Participation, PixCampaignImport, Pupil, Report, SiecleImport
from orga.pupils.models import ERASED_NAME
from orga.pupils.names import normalized_name

from .models import ErasureRecord

ERASED_BIRTHDATE = datetime.date(1900, 1, 1)  # the field is required; no pupil is born that day
# The candidate's copy of the identity, blanked on every candidacy (the certificate does not print them).
CANDIDATE_DETAILS = {
    "ine": "",
    "birth_city": "",
    "birth_city_code": "",
    "birth_country_code": "",
    "sex": "",
    "division_name": "",
    "extra_time_percentage": 0,  # an accommodation tells of a disability: not kept
}
# …and the certified identity, blanked unless a published validated certificate keeps it for a while.
CANDIDATE_IDENTITY = {
    "last_name": ERASED_NAME,
    "preferred_last_name": "",
    "first_name": "",
    "middle_name": "",
    "third_name": "",
    "birthdate": ERASED_BIRTHDATE,
}

# The pupil's own details beyond the identity (the class stays: a class's figures still count the pupil).
PUPIL_DETAILS = {
    "birth_country_code": "",
    "birth_department_code": "",
    "birth_city_code": "",
    "birth_city": "",
    "sex": "",
    "mef_code": "",
    "status": "",
}


def erased_ine(pupil_id):
    """A placeholder unique in the school: every real INE starts with a digit, this one with a letter."""
    return f"X{pupil_id:010d}"


def years_before(moment, years):
    """The same day `years` earlier (28 February for a 29 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def erase_pupil(pupil_id, *, by=None, reason=ErasureRecord.Reason.REQUEST, request=None):
    """Erase the pupil's personal data (see the module's docstring). The ErasureRecord, or None when the pupil was
    erased already (nothing is done again). `request`, when a school admin asked, gives the journal their address."""
    with transaction.atomic():
        pupil = Pupil.objects.select_for_update().filter(id=pupil_id, erased_at__isnull=True).first()
        if pupil is None:
            return None
        now = timezone.now()
        old_ine, old_names = pupil.ine, _names_of(pupil)
        user = pupil.user
        pupil.user = None
        for field, value in {**CANDIDATE_IDENTITY, **PUPIL_DETAILS}.items():
            setattr(pupil, field, value)
        pupil.ine = erased_ine(pupil.id)
        pupil.is_active = False
        pupil.disabled_at = pupil.disabled_at or now
        pupil.erased_at = now
        pupil.save()
        _scrub_journal(pupil, user)
        if user is not None:
            user.delete()  # its social accounts (ENT links), tokens, e-mail addresses and digests go with it

        participations = Participation.objects.filter(pupil=pupil)
        Answer.objects.filter(participation__in=participations).update(value="")
        kept = _erase_candidacies(pupil)
        _delete_documents_naming(pupil)
        _scrub_import_reports(pupil, old_ine, old_names)
        done = ErasureRecord.objects.create(
            school_id=pupil.school_id,
            pupil=pupil,
            reason=reason,
            erased_by=by,
            participations=participations.count(),
            certifications_kept=kept,
        )
        description = (
            "Données personnelles effacées à la demande (RGPD)"
            if reason == ErasureRecord.Reason.REQUEST
            else f"Données personnelles effacées : désactivé depuis plus de {settings.PUPIL_RETENTION_YEARS} an(s)"
        )
        target = ("élève", pupil.id, ERASED_NAME)
        record(request or by, pupil.school, Action.PUPIL_DELETED, target, description, erasure=done.id)
        return done


def _scrub_journal(pupil, user):
    """The journal keeps its events (who did what, when) but no longer names the pupil: the events about them or
    their account, and those they did, say ERASED_NAME instead (the only change the journal ever undergoes)."""
    about = Q(target_type="élève", target_id=str(pupil.id))
    if user is not None:
        about |= Q(target_type__in=["compte", "utilisateur"], target_id=str(user.pk))
        AuditEvent.objects.filter(actor=user).update(actor_label=ERASED_NAME)
    AuditEvent.objects.filter(about).update(target_label=ERASED_NAME)


def _keeps_certificate(candidate):
    return (
        candidate.session.published_at is not None
        and CertificationResult.objects.filter(
            candidate=candidate, status=CertificationResult.Status.VALIDATED
        ).exists()
    )


def _erase_candidacies(pupil):
    """Each candidacy as the module's docstring says; how many keep their certified identity."""
    kept = 0
    for candidate in Candidate.objects.select_related("session").filter(pupil=pupil):
        if candidate.session.status == Session.Status.CREATED and candidate.started_at is None:
            candidate.delete()  # enrolled in a session to come: simply withdrawn
            continue
        keeps = _keeps_certificate(candidate)
        kept += keeps
        fields = CANDIDATE_DETAILS if keeps else {**CANDIDATE_DETAILS, **CANDIDATE_IDENTITY}
        Candidate.objects.filter(id=candidate.id).update(**fields)
        _erase_free_texts(Candidate.objects.filter(id=candidate.id))
    return kept


def _erase_free_texts(candidates):
    """What the pupil typed during the test and what the staff wrote about them: emptied (the results stay)."""
    courses = CertificationCourse.objects.filter(candidate__in=candidates)
    CertificationQuestion.objects.filter(course__in=courses).update(answer_value="")
    CertificationAlert.objects.filter(course__in=courses).update(message="")
    courses.update(browser_key="")
    IssueReport.objects.filter(candidate__in=candidates).update(description="")
    CertificationResult.objects.filter(candidate__in=candidates).update(comment_for_organisation="")


def expire_certified_identities(now=None):
    """Blank the certified identity kept for an erased pupil's published certificate once CERTIFICATE_KEPT_YEARS
    have passed since its session; how many candidacies were blanked. Safe to run twice."""
    cutoff = years_before(timezone.localdate(now), settings.CERTIFICATE_KEPT_YEARS)
    expired = Candidate.objects.filter(pupil__erased_at__isnull=False, session__date__lt=cutoff).exclude(
        last_name=ERASED_NAME, first_name=""
    )
    ids = list(expired.values_list("id", flat=True))
    # The attestation is no longer checked here: /verifier/ answers « introuvable » for its code.
    CertificationResult.objects.filter(candidate_id__in=ids).update(verification_code=None)
    return Candidate.objects.filter(id__in=ids).update(**CANDIDATE_IDENTITY)


def _delete_documents_naming(pupil):
    """Session PDFs and campaign exports that printed the pupil's name: built again on demand without it."""
    sessions = Candidate.objects.filter(pupil=pupil).values("session_id")
    for document in SessionDocument.objects.filter(session_id__in=sessions).exclude(status__in=["queued", "running"]):
        document.delete()  # its file goes with it (post_delete)
    campaigns = Participation.objects.filter(pupil=pupil).values("campaign_id")
    for report in Report.objects.filter(campaign_id__in=campaigns).exclude(status__in=["queued", "running"]):
        if report.file:
            report.file.delete(save=False)
        report.delete()


def _names_of(pupil):
    """The spellings of the pupil's name an import's report may hold (« MARTIN Léa », « Léa MARTIN »), compared as
    names are (orga.pupils.names)."""
    spellings = set()
    for last in {pupil.last_name, pupil.preferred_last_name} - {""}:
        spellings |= {normalized_name(f"{last} {pupil.first_name}"), normalized_name(f"{pupil.first_name} {last}")}
    return spellings


def _scrub(value, pupil_id, ine, names):
    """`value` (an import's JSON) without the pupil: a row matched to them loses its names; a text naming them (by
    INE, or by their very names — a namesake's line goes too) becomes ERASED_NAME."""
    if isinstance(value, dict):
        if value.get("pupil_id") == pupil_id:
            erased = {"last_name": ERASED_NAME, "first_name": "", "pupil": ERASED_NAME}
            value = {**value, **{key: name for key, name in erased.items() if key in value}}
        return {key: _scrub(item, pupil_id, ine, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, pupil_id, ine, names) for item in value]
    if isinstance(value, str) and ((ine and ine in value) or normalized_name(value) in names):
        return ERASED_NAME
    return value


def _scrub_import_reports(pupil, ine, names):
    """The school's SIECLE import reports and Pix import previews that named the pupil, rewritten without them
    (a school has a few imports a year: each is read)."""
    jobs = {
        SiecleImport: ("report", "errors"),
        PixCampaignImport: ("preview", "report", "errors"),
        PixSessionImport: ("preview", "report", "errors"),
    }
    for model, fields in jobs.items():
        _scrub_jobs(model.objects.filter(school_id=pupil.school_id), fields, pupil.id, ine, names)


def _scrub_jobs(jobs, fields, pupil_id, ine, names):
    for job in jobs.only("id", *fields):
        scrubbed = {field: _scrub(getattr(job, field), pupil_id, ine, names) for field in fields}
        changed = [field for field, value in scrubbed.items() if value != getattr(job, field)]
        for field in changed:
            setattr(job, field, scrubbed[field])
        if changed:
            job.save(update_fields=changed)


def purge_expired_pupils(now=None):
    """The nightly purge (beat): every pupil disabled for more than PUPIL_RETENTION_YEARS erased, each in its own
    transaction, then the certified identities past their time blanked. Safe to run twice: an erased pupil is
    skipped. Returns the counts."""
    now = now or timezone.now()
    cutoff = years_before(now, settings.PUPIL_RETENTION_YEARS)
    expired = Pupil.objects.filter(
        is_active=False, erased_at__isnull=True, disabled_at__isnull=False, disabled_at__lt=cutoff
    ).values_list("id", flat=True)
    erased = sum(erase_pupil(pupil_id, reason=ErasureRecord.Reason.RETENTION) is not None for pupil_id in list(expired))
    return {"erased": erased, "certified_identities_blanked": expire_certified_identities(now)}
