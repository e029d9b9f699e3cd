"""The throwaway school every benchmark measures in, and its removal (imported after django.setup())."""

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
