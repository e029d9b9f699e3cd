"""The dependency rule of ARCHITECTURE.md, checked on the imports themselves."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"accounts", "crcn", "orga", "certif", "pixdeploy"}
ALLOWED = {
    "accounts": set(),
    "crcn": set(),
    "orga": {"accounts", "crcn"},
    "certif": {"accounts", "crcn", "orga"},
    "pixdeploy": OURS,
}
PURE_MODULES = [
    "crcn/scoring.py",
    "orga/uai.py",
    "orga/demo_people.py",
    "orga/credentials.py",
    "orga/siecle.py",
    "orga/siecle_sample.py",
]


def imported_packages(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_apps_import_only_the_layers_below_them(app):
    offending = {
        f"{path.relative_to(ROOT)} imports {package}"
        for path in (ROOT / app).rglob("*.py")
        for package in imported_packages(path)
        if package in OURS and package != app and package not in ALLOWED[app]
    }
    assert not offending


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_cores_do_not_import_django(module):
    assert "django" not in set(imported_packages(ROOT / module))
