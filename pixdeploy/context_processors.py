from django.urls import reverse

from orga.schools.roles import role_of

from .academie import is_referent

# Pages whose URL sits under another item's: the item they belong to, by URL name ("classes/3/suivi/" is the
# follow-up reached from "Mes classes", not "Comptes élèves"; the test is reached from "J'ai un code").
SECTION_OF_PAGE = {
    "orga:class_progress": "Mes classes",
    "orga:class_objective": "Mes classes",
    "orga:class_reminder": "Mes classes",
    "orga:take": "J'ai un code",
    "orga:answer": "J'ai un code",
    "orga:results": "J'ai un code",
    "orga:share": "J'ai un code",
}


def navigation(request):
    """Main navigation, by role. Only links to pages that exist for that role."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    role = role_of(user)
    items = [("Accueil", reverse("home")), ("Référentiel CRCN", reverse("crcn:referentiel"))]
    if role.code in ("admin", "member"):
        uai = role.school.uai
        items.append(("Campagnes", reverse("orga:campaigns", kwargs={"uai": uai})))
        items.append(("Mes classes", reverse("orga:my_classes", kwargs={"uai": uai})))
        items.append(("Élèves", reverse("orga:pupils", kwargs={"uai": uai})))
        items.append(("Ressources", reverse("orga:resources", kwargs={"uai": uai})))
        items.append(("Mes exports", reverse("orga:reports", kwargs={"uai": uai})))
        items.append(("Membres", reverse("orga:members", kwargs={"uai": uai})))
        if role.code == "admin":
            items.append(("Certification", reverse("certif:sessions", kwargs={"uai": uai})))
            items.append(("Imports", reverse("orga:imports", kwargs={"uai": uai})))
            items.append(("Comptes élèves", reverse("orga:divisions", kwargs={"uai": uai})))
            items.append(("Journal", reverse("orga:journal", kwargs={"uai": uai})))
    if role.code == "pupil":
        items.append(("J'ai un code", reverse("orga:enter_code")))
        items.append(("Mon profil", reverse("orga:my_profile")))
        items.append(("Ma certification", reverse("certif:my_results")))
    # A referent with no school of their own (a school's staff reach the view by its address: no query on their pages).
    if role.code == "superuser" or (role.code == "none" and is_referent(user, request)):
        items.append(("Académie", reverse("academie")))
    if role.code == "superuser":
        items.append(("Administration", reverse("admin:index")))
        items.append(("État du service", reverse("service_status")))
    path = request.path
    match = getattr(request, "resolver_match", None)
    section = SECTION_OF_PAGE.get(match.view_name) if match else None

    def current(label, url):
        if section:
            return label == section
        return path == url or (url != "/" and path.startswith(url))

    nav_items = [{"label": label, "url": url, "current": current(label, url)} for label, url in items]
    return {"nav_items": nav_items}
