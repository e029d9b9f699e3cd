"""Pupils' accounts without e-mail: generation, bulk reset and the credentials sheets.

Temporary passwords exist in clear only in the sheet returned to the admin who asked
for it (PDF or CSV): they are stored hashed and must be changed at first sign-in.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts import rate_limits
from documents.cells import defuse_row
from documents.pdf import render_pdf

from .credentials import candidate_usernames, temporary_password, unique_username, username_base
from .models import Pupil


@dataclass
class Credential:
    division: str
    last_name: str
    first_name: str
    username: str
    password: str


def _hash(password):
    return make_password(password, hasher="pbkdf2_sha256_temporary")


def _credential(pupil, username, password):
    return Credential(
        division=pupil.division.name if pupil.division else "",
        last_name=pupil.display_last_name,
        first_name=pupil.first_name,
        username=username,
        password=password,
    )


@transaction.atomic
def generate_accounts(pupils):
    """Create an account for each given pupil that has none; return their credentials."""
    User = get_user_model()
    pupils = [p for p in pupils if p.user_id is None]
    bases = {p.id: username_base(p.first_name, p.display_last_name, p.birthdate) for p in pupils}
    candidates = {name for base in set(bases.values()) for name in candidate_usernames(base)}
    taken = set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    credentials, users = [], []
    for pupil in pupils:
        username = unique_username(bases[pupil.id], taken)
        if username not in candidates and User.objects.filter(username=username).exists():
            # Rare: more homonyms than the candidates looked up; find a free name one by one.
            taken |= set(User.objects.filter(username__startswith=bases[pupil.id]).values_list("username", flat=True))
            username = unique_username(bases[pupil.id], taken)
        taken.add(username)
        password = temporary_password()
        users.append(
            User(
                username=username,
                first_name=pupil.first_name,
                last_name=pupil.display_last_name,
                password=_hash(password),
                must_change_password=True,
            )
        )
        credentials.append(_credential(pupil, username, password))
    User.objects.bulk_create(users)
    by_username = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id"))
    for pupil, user in zip(pupils, users, strict=True):
        pupil.user_id = by_username[user.username]
    Pupil.objects.bulk_update(pupils, ["user"])
    return credentials


@transaction.atomic
def reset_passwords(pupils):
    """A new temporary password for each given pupil that has an account."""
    User = get_user_model()
    pupils = [p for p in pupils if p.user_id is not None]
    users = {u.id: u for u in User.objects.filter(id__in=[p.user_id for p in pupils])}
    credentials = []
    for pupil in pupils:
        user = users[pupil.user_id]
        password = temporary_password()
        user.password = _hash(password)
        user.must_change_password = True
        credentials.append(_credential(pupil, user.username, password))
    User.objects.bulk_update(users.values(), ["password", "must_change_password"])
    # The new sheet is the pupil's way out of a sign-in limit (the refusal tells them to ask the teacher).
    transaction.on_commit(lambda: rate_limits.forgive(list(users)))
    return credentials


CSV_COLUMNS = ("Classe", "Nom", "Prénom", "Identifiant", "Mot de passe")


def credentials_csv(credentials):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in credentials:
        writer.writerow(defuse_row([c.division, c.last_name, c.first_name, c.username, c.password]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def credentials_pdf(credentials, school, division_name, login_url):
    return render_pdf(
        "orga/pdf/credentials.html",
        {"credentials": credentials, "school": school, "division_name": division_name, "login_url": login_url},
    )
