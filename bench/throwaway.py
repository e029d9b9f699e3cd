"""The throwaway school every benchmark measures in, its pupils and their signed-in sessions, and its removal
(imported after django.setup())."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from orga.models import Membership, School
from orga.schools.uai import uai_key


def throwaway_school(digits, name):
    """A fresh school with an admin, on the configured database (migrated first); any leftover is removed."""
    call_command("migrate", verbosity=0)
    uai = digits + uai_key(digits)
    remove_school(uai)
    school = School.objects.create(uai=uai, name=name)
    admin = get_user_model().objects.create(username=f"bench.admin.{uai}")
    Membership.objects.create(school=school, user=admin, role="admin")
    return school, admin


def remove_school(uai):
    """The school with its pupils and results, and the accounts the benchmark made for it."""
    User = get_user_model()
    School.objects.filter(uai=uai).delete()
    User.objects.filter(username__startswith=f"bench.{uai}.").delete()
    User.objects.filter(username=f"bench.admin.{uai}").delete()


def throwaway_pupils(school, division_names, count, seed):
    """`count` pupils spread over new classes of the school (in the classes' order), each with an account named
    bench.<uai>.<n> (no password)."""
    from orga.models import Division, Pupil
    from orga.pupils.siecle_sample import generated_pupils

    User = get_user_model()
    divisions = {name: Division.objects.create(school=school, name=name) for name in division_names}
    fakes = generated_pupils(count, division_names, seed=seed)
    users = User.objects.bulk_create(
        [User(username=f"bench.{school.uai}.{n}", password="!", first_name=f.first_name) for n, f in enumerate(fakes)]
    )
    return Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                division=divisions[f.division],
                user=user,
                ine=f.ine,
                last_name=f.last_name,
                first_name=f.first_name,
                birthdate=f.birthdate,
                sex=f.sex,
                mef_code=f.mef_code,
            )
            for user, f in zip(users, fakes, strict=True)
        ]
    )


def signed_in(user):
    """A session of `user` made in the database, as the sign-in would (no password hashing to measure): the
    (cookie name, session key) a browser presents."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = session_store()()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key


def forget_sessions(keys):
    """The benchmark's sessions removed from the session store (the database and, with Redis, its cache)."""
    store = session_store()
    for key in keys:
        if key:
            store(session_key=key).delete()


def session_store():
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore
