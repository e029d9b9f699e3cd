"""What a newcomer meets: the README's commands, the sample export, the system check, `make worker`, SITE_URL."""

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.db import connections

from orga.models import School
from pixdeploy.checks import check_site_url
from pixdeploy.demo import DEMO_UAI
from pixdeploy.demo_export import PATH as SAMPLE_EXPORT
from pixdeploy.demo_export import XML_NAME, demo_export_xml

BASE_DIR = Path(settings.BASE_DIR)
README = BASE_DIR / "README.md"


def readme_commands():
    """Every `python manage.py …` command line of the README, in order, as argument lists."""
    lines = re.findall(r"python manage\.py ([^`\n]+)", README.read_text(encoding="utf-8"))
    return [shlex.split(line, comments=True) for line in lines]


def manage(argv):
    """`python manage.py *argv` in this process, on the test database: its exit code."""
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0


def test_the_readme_shows_the_commands_a_newcomer_needs():
    names = [argv[0] for argv in readme_commands()]
    assert {"seed_demo", "import_siecle", "create_school"} <= set(names)
    readme = README.read_text(encoding="utf-8")
    assert "make run PORT=8001" in readme
    assert "/comptes/login/" in readme
    assert "createdb -h 127.0.0.1 -U postgres pixdeploy" in readme
    assert "SITE_URL" in readme


@pytest.mark.django_db
def test_every_readme_command_works_verbatim_after_make_run(monkeypatch, capsys):
    call_command("seed_demo", stdout=io.StringIO())  # what `make run` did
    monkeypatch.chdir(BASE_DIR)
    # manage.py closes the connections when a command ends: that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    for argv in readme_commands():
        code = manage(argv)
        output = capsys.readouterr()
        assert code == 0, f"python manage.py {shlex.join(argv)} → {code}\n{output.out}\n{output.err}"


@pytest.mark.django_db
def test_the_sample_export_brings_news_of_the_demo_school(capsys):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("import_siecle", str(SAMPLE_EXPORT), uai=DEMO_UAI, dry_run=True, json=True)
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "created": 2,
        "updated": 1,
        "moved": 1,
        "reenabled": 0,
        "disabled": 0,  # the pupil who left is in the file, with a DATE_SORTIE: not "absent"
        "left": 3,
        "skipped": 0,
        "unchanged": 100,
        "errors": [],
        "error_count": 0,
    }


def test_the_shipped_sample_export_is_the_generated_one():
    """`python manage.py demo_export` rewrites it; the XML inside must not have drifted from the generator."""
    with zipfile.ZipFile(SAMPLE_EXPORT) as archive:
        assert archive.namelist() == [XML_NAME]
        assert archive.read(XML_NAME) == demo_export_xml()


def test_the_readme_examples_create_a_school_other_than_the_demo_one():
    from orga.schools.uai import is_valid_uai

    (create,) = [argv for argv in readme_commands() if argv[0] == "create_school"]
    uai = create[create.index("--uai") + 1]
    assert is_valid_uai(uai) and uai != DEMO_UAI


@pytest.mark.django_db
def test_the_readme_create_school_example_invites_through_site_url(capsys, settings, monkeypatch):
    settings.SITE_URL = "http://127.0.0.1:8001"
    (create,) = [argv for argv in readme_commands() if argv[0] == "create_school"]
    monkeypatch.setattr(connections, "close_all", lambda: None)
    assert manage(create) == 0
    assert "Lien d'invitation : http://127.0.0.1:8001/" in capsys.readouterr().out
    assert School.objects.filter(uai=create[create.index("--uai") + 1]).exists()


# --- System packages (scripts/check_system.sh) ---------------------------------------------------------------

CHECK_SYSTEM = BASE_DIR / "scripts" / "check_system.sh"
WEASYPRINT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core"


def fake_machine(tmp_path, installed, commands=("make", "git")):
    """A PATH with only a dpkg-query that knows `installed` packages, fake `commands` and a Python with venv."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cases = " ".join(installed) or "none"
    scripts = {
        "dpkg-query": f'for last; do :; done\ncase " {cases} " in *" $last "*) printf installed;; *) exit 1;; esac\n',
        "python3.11": "exit 0\n",
        **dict.fromkeys(commands, "exit 0\n"),
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)
    (bin_dir / "id").symlink_to(shutil.which("id"))
    return {**os.environ, "PATH": str(bin_dir), "VENV": str(tmp_path / "no-venv")}


def check_system(env, *args):
    return subprocess.run(["/bin/sh", str(CHECK_SYSTEM), *args, "python3.11"], env=env, capture_output=True, text=True)


def test_check_system_prints_the_one_apt_get_line_of_what_is_missing(tmp_path):
    result = check_system(fake_machine(tmp_path, installed=["libpango-1.0-0", "libharfbuzz0b"], commands=["make"]))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"(sudo )?apt-get install -y git libpangoft2-1\.0-0 libharfbuzz-subset0 fonts-dejavu-core", lines[0]
    )
    assert "Il manque des paquets système" in result.stderr


def test_check_system_is_silent_when_nothing_is_missing(tmp_path):
    result = check_system(fake_machine(tmp_path, installed=WEASYPRINT_PACKAGES.split()))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_check_system_lists_the_missing_packages_for_ci(tmp_path):
    result = check_system(fake_machine(tmp_path, installed=[]), "--missing")
    assert result.returncode == 0
    assert result.stdout.split() == WEASYPRINT_PACKAGES.split()


def test_the_readme_apt_get_line_installs_what_the_check_asks_for():
    readme = README.read_text(encoding="utf-8")
    (line,) = re.findall(r"^sudo apt-get install -y (.+)$", readme, flags=re.MULTILINE)
    assert set(line.split()) == {"make", "git", "python3-venv", *WEASYPRINT_PACKAGES.split()}


# --- make worker / make beat without Redis ---------------------------------------------------------------------


needs_make_and_a_virtualenv = pytest.mark.skipif(
    shutil.which("make") is None or sys.prefix == sys.base_prefix, reason="make et un virtualenv sont nécessaires"
)


def make_need_broker(**env):
    venv = Path(sys.prefix)
    environment = {**os.environ, "REDIS_URL": "", "CELERY_BROKER_URL": "", **env}
    return subprocess.run(
        # -o: the running virtualenv counts as installed, make installs nothing.
        ["make", "-s", "need-broker", f"VENV={venv}", "-o", str(venv / ".installed")],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


@needs_make_and_a_virtualenv
def test_make_worker_without_redis_says_that_redis_is_needed():
    result = make_need_broker()
    assert result.returncode != 0
    assert "Il faut Redis" in result.stderr
    assert "export REDIS_URL=redis://127.0.0.1:6379/0" in result.stderr


@needs_make_and_a_virtualenv
def test_make_worker_with_redis_goes_on():
    assert make_need_broker(REDIS_URL="redis://127.0.0.1:6379/15").returncode == 0


# --- SITE_URL in production (check --deploy) -----------------------------------------------------------------


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", "http://localhost:8000/", "pix.mon-lycee.fr"])
def test_deploy_check_warns_when_production_has_no_public_site_url(settings, site_url):
    settings.PRODUCTION = True
    settings.SITE_URL = site_url
    (warning,) = check_site_url(None)
    assert warning.id == "pixdeploy.W001"
    assert site_url in warning.msg


def test_deploy_check_is_silent_with_a_public_site_url(settings):
    settings.PRODUCTION = True
    settings.SITE_URL = "https://pix.mon-lycee.fr"
    assert check_site_url(None) == []


def test_deploy_check_is_silent_in_development(settings):
    settings.PRODUCTION = False
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert check_site_url(None) == []


def test_check_deploy_runs_the_site_url_check(settings):
    from django.core.checks import registry

    assert check_site_url in registry.registry.get_checks(include_deployment_checks=True)
    assert check_site_url not in registry.registry.get_checks(include_deployment_checks=False)
