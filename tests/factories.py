import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from orga.models import Division, Membership, Pupil, School, SiecleImport
from orga.pupils.importing import empty_report
from orga.schools.uai import uai_key

PASSWORD = "Mot-de-passe-de-test-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


def _uai(n):
    digits = f"{750000 + n:07d}"
    return digits + uai_key(digits)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    uai = factory.Sequence(_uai)
    name = factory.Sequence(lambda n: f"Collège Jean-Moulin {n}")
    type = School.Type.COLLEGE
    academie = "Lyon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"3e {chr(65 + n % 26)}{n // 26 or ''}")


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    division = factory.SubFactory(DivisionFactory, school=factory.SelfAttribute("..school"))
    ine = factory.Sequence(lambda n: f"{n:010d}K")
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birthdate = datetime.date(2012, 5, 14)
    sex = "F"
    mef_code = "10310019110"
    status = "ST"


class SiecleImportFactory(factory.django.DjangoModelFactory):
    """A pupils' list imported: done, holding `pupils` pupils (all new)."""

    class Meta:
        model = SiecleImport

    class Params:
        pupils = 0

    school = factory.SubFactory(SchoolFactory)
    original_name = "ElevesSansAdresses.xml"
    status = SiecleImport.Status.DONE
    progress = 100
    finished_at = factory.LazyFunction(timezone.now)
    report = factory.LazyAttribute(lambda job: {**empty_report(), "created": job.pupils})
