"""The challenge bank each process keeps (crcn/bank.py): loaded again once load_content has bumped the version,
whichever process ran it (issue 14)."""

import json
import shutil

import pytest
from django.core.cache import cache

from crcn.bank import VERSION_KEY, BankCache, bank_version
from crcn.content import CONTENT_DIR, load_content
from crcn.models import BankVersion, Challenge


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def edited_content(tmp_path, instruction):
    """A copy of the shipped bank whose first challenge of 1.1 reads `instruction`; that challenge's code."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "1.1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    challenge = data["tubes"][0]["skills"][0]["challenges"][0]
    challenge["instruction"] = instruction
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return content, challenge["code"]


@pytest.mark.django_db
def test_load_content_bumps_the_version_and_another_process_serves_the_new_bank(
    tmp_path, django_capture_on_commit_callbacks
):
    here, there = BankCache(), BankCache()  # two processes: each its own copy, the cache and database shared
    before = there.get()
    content, code = edited_content(tmp_path, "Quelle est la nouvelle consigne ?")
    challenge_id = Challenge.objects.get(code=code).id
    assert before.shown[challenge_id].instruction != "Quelle est la nouvelle consigne ?"

    with django_capture_on_commit_callbacks(execute=True):
        load_content(content)  # run by `here`'s process (manage.py load_content)

    assert BankVersion.objects.get().version == before.version + 1
    after = there.get()
    assert after is not before and after.version == before.version + 1
    assert after.shown[challenge_id].instruction == "Quelle est la nouvelle consigne ?"
    assert here.get().version == after.version
    assert there.get() is after  # the same version: no reload


@pytest.mark.django_db
def test_the_version_survives_the_cache_losing_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_content()
    version = BankVersion.objects.get().version
    cache.delete(VERSION_KEY)  # Redis restarted, or the key expired
    assert bank_version() == version
    assert cache.get(VERSION_KEY) == version


@pytest.mark.django_db
def test_a_process_keeps_its_bank_while_the_version_stays(django_assert_num_queries):
    process = BankCache()
    bank = process.get()
    with django_assert_num_queries(0):
        assert process.get() is bank
