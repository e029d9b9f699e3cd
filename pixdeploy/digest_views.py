"""Switching the weekly digest off or on: « Mes courriels » (signed in) and the mail's signed link (no sign-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from . import digest


@login_required
def email_preferences(request):
    user = request.user
    if request.method == "POST":
        user.weekly_digest = request.POST.get("weekly_digest") == "on"
        user.save(update_fields=["weekly_digest"])
        if user.weekly_digest:
            messages.success(request, "Vous recevrez le récapitulatif hebdomadaire.")
        else:
            messages.success(request, "Vous ne recevrez plus le récapitulatif hebdomadaire.")
        return redirect("email_preferences")
    return render(request, "pixdeploy/email_preferences.html", {"page_title": "Mes courriels"})


# The token authenticates the request (no session involved): a mail client's one-click POST (RFC 8058) carries none.
@csrf_exempt
def digest_unsubscribe(request, token):
    user = digest.user_from_token(token)
    if user is None:
        context = {"page_title": "Lien de désabonnement invalide", "invalid": True}
        return render(request, "pixdeploy/digest_unsubscribe.html", context, status=400)
    done = False
    if request.method == "POST":
        if user.weekly_digest:
            user.weekly_digest = False
            user.save(update_fields=["weekly_digest"])
        done = True
    context = {"page_title": "Se désabonner du récapitulatif hebdomadaire", "done": done, "subscriber": user}
    return render(request, "pixdeploy/digest_unsubscribe.html", context)
