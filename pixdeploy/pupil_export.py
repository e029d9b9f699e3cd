"""Everything pixdeploy holds about one pupil (RGPD, right of access and portability), for the school admin to hand
to the pupil or their family: a ZIP of `donnees.json` (all of it, machine-readable), `donnees.html` (the same to
read, every value escaped) and `reponses.csv` (the answers, cells defused).

Read in a fixed number of queries, filtered on this pupil only: no other pupil's row can slip in. The account's
password hash is never read; a candidate's copy of the identity is shown as the certificate bears it.
"""

import datetime
import io
import json
import zipfile

from allauth.socialaccount.models import SocialAccount
from django.template.loader import render_to_string
from django.utils import timezone

from certif.course.models import CertificationQuestion
from certif.finalisation.models import IssueReport
from certif.sessions.models import Candidate
from documents.filenames import download_filename
from documents.tables import csv_bytes
from orga.models import Answer, CompetenceResult, Participation

ANSWER_HEADER = ["Origine", "Campagne ou session", "Date", "Épreuve", "Acquis", "Réponse", "Résultat"]


def _iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _identity(pupil):
    return {
        "nom_de_famille": pupil.last_name,
        "nom_d_usage": pupil.preferred_last_name,
        "prenom": pupil.first_name,
        "deuxieme_prenom": pupil.middle_name,
        "troisieme_prenom": pupil.third_name,
        "date_de_naissance": _iso(pupil.birthdate),
        "sexe": pupil.get_sex_display(),
        "code_pays_de_naissance": pupil.birth_country_code,
        "code_departement_de_naissance": pupil.birth_department_code,
        "code_commune_de_naissance": pupil.birth_city_code,
        "commune_de_naissance": pupil.birth_city,
        "ine": pupil.ine,
    }


def _schooling(pupil):
    return {
        "etablissement": pupil.school.name,
        "uai": pupil.school.uai,
        "classe": pupil.division.name if pupil.division else "",
        "code_mef": pupil.mef_code,
        "statut": pupil.status,
        "actif": pupil.is_active,
        "importe_le": _iso(pupil.created_at),
        "modifie_le": _iso(pupil.updated_at),
        "desactive_le": _iso(pupil.disabled_at),
        "donnees_effacees_le": _iso(pupil.erased_at),
    }


def _account(user):
    if user is None:
        return None
    links = SocialAccount.objects.filter(user=user).order_by("provider", "uid")
    return {
        "identifiant": user.username,
        "adresse_electronique": user.email,
        "actif": user.is_active,
        "mot_de_passe_provisoire_a_changer": user.must_change_password,
        "cree_le": _iso(user.date_joined),
        "derniere_connexion": _iso(user.last_login),
        "comptes_ent_relies": [
            {
                "fournisseur": link.provider,
                "identifiant": link.uid,
                "relie_le": _iso(link.date_joined),
                "derniere_connexion": _iso(link.last_login),
            }
            for link in links
        ],
    }


def _participations(pupil):
    participations = list(
        Participation.objects.filter(pupil=pupil).select_related("campaign").order_by("created_at", "id")
    )
    results, answers = {}, {}
    for result in CompetenceResult.objects.filter(participation__pupil=pupil).select_related("competence"):
        results.setdefault(result.participation_id, []).append(result)
    for answer in Answer.objects.filter(participation__pupil=pupil).order_by("id"):
        answers.setdefault(answer.participation_id, []).append(answer)
    return [
        {
            "campagne": participation.campaign.name,
            "code": participation.campaign.code,
            "statut": participation.get_status_display(),
            "remplacee_par_une_nouvelle": participation.is_improved,
            "importee_de_pix": participation.imported_from_pix,
            "commencee_le": _iso(participation.created_at),
            "terminee_le": _iso(participation.finished_at),
            "envoyee_le": _iso(participation.shared_at),
            "pix": participation.pix,
            "resultats_par_competence": [
                {
                    "competence": f"{result.competence.code} {result.competence.title}",
                    "niveau": result.level,
                    "pix": result.pix,
                    "acquis_testes": result.tested_skills,
                }
                for result in sorted(results.get(participation.id, []), key=lambda r: r.competence.code)
            ],
            "reponses": [
                {
                    "epreuve": answer.challenge_id,
                    "acquis": answer.skill_id,
                    "reponse": answer.value,
                    "resultat": answer.get_result_display(),
                    "le": _iso(answer.created_at),
                }
                for answer in answers.get(participation.id, [])
            ],
        }
        for participation in participations
    ]


def _certifications(pupil):
    candidates = list(
        Candidate.objects.filter(pupil=pupil)
        .select_related("session", "course", "result")
        .order_by("session__date", "id")
    )
    questions, reports = {}, {}
    for question in CertificationQuestion.objects.filter(course__candidate__pupil=pupil).order_by("number"):
        questions.setdefault(question.course_id, []).append(question)
    for report in IssueReport.objects.filter(candidate__pupil=pupil):
        reports.setdefault(report.candidate_id, []).append(report)
    return [_certification(candidate, questions, reports) for candidate in candidates]


def _certification(candidate, questions, reports):
    session = candidate.session
    course = getattr(candidate, "course", None)
    result = getattr(candidate, "result", None)
    published = session.published_at is not None
    return {
        "session": session.number,
        "date": _iso(session.date),
        "salle": session.room,
        "identite_a_l_inscription": {
            "nom_de_famille": candidate.last_name,
            "nom_d_usage": candidate.preferred_last_name,
            "prenoms": candidate.first_names,
            "date_de_naissance": _iso(candidate.birthdate),
            "commune_de_naissance": candidate.birth_city,
            "ine": candidate.ine,
            "classe": candidate.division_name,
        },
        "temps_majore_pourcentage": candidate.extra_time_percentage,
        "inscrit_le": _iso(candidate.enrolled_at),
        "identite_confirmee_le": _iso(candidate.identity_confirmed_at),
        "presence_confirmee_le": _iso(candidate.presence_confirmed_at),
        "test": None
        if course is None
        else {
            "commence_le": _iso(course.started_at),
            "termine_le": _iso(course.ended_at),
            "fin": course.get_end_reason_display(),
            "questions": [
                {
                    "numero": question.number,
                    "epreuve": question.challenge_id,
                    "reponse": question.answer_value,
                    "resultat": question.get_result_display(),
                    "neutralisee": question.neutralised,
                }
                for question in questions.get(course.id, [])
            ],
        },
        "signalements": [
            {"categorie": report.get_category_display(), "description": report.description}
            for report in reports.get(candidate.id, [])
        ],
        "resultat": None
        if result is None
        else {
            "publie": published,
            "publie_le": _iso(session.published_at),
            # Before publication the result is the school's draft: its status alone is said.
            "statut": result.get_status_display(),
            "score_en_pix": result.pix_score if published else None,
            "niveau_global": result.level_label if published else None,
            "niveaux_par_competence": result.competence_levels if published else None,
            "code_de_verification": result.verification_code,
            "importe_de_pix": result.is_imported_from_pix,
        },
    }


def pupil_data(pupil):
    """Everything held about the pupil, as plain data (French keys: the pupil and their family read them)."""
    return {
        "genere_le": _iso(timezone.now()),
        "responsable_du_traitement": f"Le chef d'établissement, {pupil.school.name} ({pupil.school.uai})",
        "identite": _identity(pupil),
        "scolarite": _schooling(pupil),
        "compte": _account(pupil.user),
        "participations": _participations(pupil),
        "certifications": _certifications(pupil),
    }


def _answer_rows(data):
    for participation in data["participations"]:
        for answer in participation["reponses"]:
            yield [
                "Campagne",
                participation["campagne"],
                answer["le"],
                answer["epreuve"],
                answer["acquis"],
                answer["reponse"],
                answer["resultat"],
            ]
    for certification in data["certifications"]:
        for question in (certification["test"] or {}).get("questions", []):
            yield [
                "Certification",
                f"Session n° {certification['session']}",
                certification["date"],
                question["epreuve"],
                "",
                question["reponse"],
                question["resultat"],
            ]


# The JSON's keys as the readable page titles them (any other key: its words, capitalised).
LABELS = {
    "genere_le": "Document produit le",
    "responsable_du_traitement": "Responsable du traitement",
    "identite": "Identité",
    "scolarite": "Scolarité",
    "compte": "Compte pixdeploy",
    "prenom": "Prénom",
    "deuxieme_prenom": "Deuxième prénom",
    "troisieme_prenom": "Troisième prénom",
    "prenoms": "Prénoms",
    "nom_d_usage": "Nom d'usage",
    "ine": "INE",
    "uai": "UAI",
    "etablissement": "Établissement",
    "code_mef": "Code MEF",
    "importe_le": "Importé le",
    "modifie_le": "Modifié le",
    "desactive_le": "Désactivé le",
    "donnees_effacees_le": "Données effacées le",
    "adresse_electronique": "Adresse électronique",
    "mot_de_passe_provisoire_a_changer": "Mot de passe provisoire à changer",
    "cree_le": "Créé le",
    "derniere_connexion": "Dernière connexion",
    "comptes_ent_relies": "Comptes ENT reliés",
    "relie_le": "Relié le",
    "remplacee_par_une_nouvelle": "Remplacée par une nouvelle participation",
    "importee_de_pix": "Importée de Pix",
    "commencee_le": "Commencée le",
    "terminee_le": "Terminée le",
    "envoyee_le": "Envoyée le",
    "resultats_par_competence": "Résultats par compétence",
    "competence": "Compétence",
    "acquis_testes": "Acquis testés",
    "reponses": "Réponses",
    "reponse": "Réponse",
    "resultat": "Résultat",
    "epreuve": "Épreuve",
    "identite_a_l_inscription": "Identité à l'inscription",
    "temps_majore_pourcentage": "Temps majoré (%)",
    "inscrit_le": "Inscrit le",
    "identite_confirmee_le": "Identité confirmée le",
    "presence_confirmee_le": "Présence confirmée le",
    "commence_le": "Commencé le",
    "termine_le": "Terminé le",
    "numero": "Numéro",
    "neutralisee": "Neutralisée",
    "signalements": "Signalements",
    "categorie": "Catégorie",
    "publie": "Publié",
    "publie_le": "Publié le",
    "niveau_global": "Niveau global",
    "niveaux_par_competence": "Niveaux par compétence",
    "code_de_verification": "Code de vérification",
    "importe_de_pix": "Importé de Pix",
}


def _label(key):
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def readable(value):
    """`value` as nested nodes the page's template walks: {"kind": "dict" | "list" | "text", …}."""
    if isinstance(value, dict):
        return {
            "kind": "dict",
            "items": [{"label": _label(key), "node": readable(item)} for key, item in value.items()],
        }
    if isinstance(value, list):
        return {"kind": "list", "items": [readable(item) for item in value]} if value else {"kind": "text", "text": "—"}
    if value is None or value == "":
        return {"kind": "text", "text": "—"}
    if isinstance(value, bool):
        return {"kind": "text", "text": "oui" if value else "non"}
    return {"kind": "text", "text": str(value)}


def export_archive(pupil):
    """(file name, ZIP bytes) of the pupil's data."""
    data = pupil_data(pupil)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(
            "donnees.html", render_to_string("pixdeploy/pupil_data.html", {"data": data, "tree": readable(data)})
        )
        archive.writestr("reponses.csv", csv_bytes(ANSWER_HEADER, _answer_rows(data)))
    name = download_filename(f"donnees-{pupil.display_last_name}-{pupil.first_name}.zip", default="donnees.zip")
    return name, buffer.getvalue()
