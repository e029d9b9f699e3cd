"""The public verification of a certification: anyone holding an attestation's code checks it, without signing in.

Only a published, validated certification is found; unknown, unpublished, rejected or cancelled codes give the
same « introuvable » page, so the page tells nothing about what exists. The code's format is checked before any
query, and every lookup counts against the address (`accounts.rate_limits`) to stop enumeration.
"""

from django.shortcuts import redirect, render

from accounts.client_address import client_address
from accounts.rate_limits import count_failure, is_over
from certif.results import verification
from certif.results.models import CertificationResult

WINDOW_SECONDS = 600
MAX_PER_ADDRESS = 60
MALFORMED = "Ce code n'a pas le bon format : « P- » suivi de 8 caractères, par exemple P-BC4D7KQX."
THROTTLED = "Trop de vérifications depuis votre adresse : réessayez dans quelques minutes."


def _form(request, code="", error="", status=200):
    return render(
        request,
        "certif/handover/verify_form.html",
        {"code": code, "error": error, "page_title": "Vérifier une certification"},
        status=status,
    )


def find_certification(code):
    """The published, validated result with this code, or None. `code` must already be well formed."""
    return (
        CertificationResult.objects.published()
        .filter(status=CertificationResult.Status.VALIDATED, verification_code=code)
        .select_related("candidate__session")
        .first()
    )


def verify_form(request):
    typed = request.GET.get("code")
    if typed is None:
        return _form(request)
    code = verification.normalise(typed)
    if not verification.is_verification_code(code):
        return _form(request, typed, MALFORMED, status=400)
    return redirect("certif:verify", code=code)


def verify(request, code):
    normalised = verification.normalise(code)
    if not verification.is_verification_code(normalised):
        return _form(request, code, MALFORMED, status=400)
    if normalised != code:
        return redirect("certif:verify", code=normalised)
    limits = [(f"certif-verify:ip:{client_address(request)}", MAX_PER_ADDRESS)]
    if is_over(limits):
        return _form(request, code, THROTTLED, status=429)
    count_failure(limits, WINDOW_SECONDS)
    result = find_certification(code)
    if result is None:
        return render(
            request,
            "certif/handover/verify_not_found.html",
            {"code": code, "page_title": "Certification introuvable"},
            status=404,
        )
    candidate = result.candidate
    return render(
        request,
        "certif/handover/verify.html",
        {
            "code": code,
            "full_name": f"{candidate.first_name} {candidate.display_last_name}",
            "date": candidate.session.date,
            "result": result,
            "page_title": "Certification vérifiée",
        },
    )
