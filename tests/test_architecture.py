"""The layering of ARCHITECTURE.md, checked on the imports themselves.

Three rules: an app imports only the apps below it; inside `orga` and `certif`, a room imports only the
rooms below it; no module imports one that imports it back (function-local imports count too). And every
module that ARCHITECTURE.md calls Django-free imports no Django, directly or through our modules.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"accounts", "crcn", "documents", "jobs", "orga", "certif", "pixdeploy"}
ALLOWED = {
    "accounts": set(),
    "crcn": set(),
    "documents": set(),
    "jobs": set(),
    "orga": {"accounts", "crcn", "documents", "jobs"},
    "certif": {"accounts", "crcn", "documents", "jobs", "orga"},
    "pixdeploy": OURS,
}
# The rooms of orga and certif, from the bottom up: each may import those before it in its list.
ROOMS = {
    "orga": ["audit", "schools", "pupils", "campaigns", "classes", "results", "pix_imports"],
    "certif": [
        "sessions",
        "candidates",
        "course",
        "invigilation",
        "documents",
        "finalisation",
        "results",
        "handover",
        "pix_imports",
    ],
}
SKIPPED_DIRS = {"migrations", "__pycache__"}


def our_modules():
    """{dotted name: path} of every module of ours (migrations aside: they may name any model)."""
    modules = {}
    for app in OURS:
        for path in (ROOT / app).rglob("*.py"):
            if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = our_modules()


@cache
def imports_of(name):
    """The modules of ours that `name` imports, wherever the import stands in the file."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from a.b import c` imports the module a.b.c when there is one, else a name of a.b.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found |= {target for target in targets if target in MODULES and target != name}
    return frozenset(found)


def top_packages(name):
    return {target.split(".")[0] for target in imports_of(name)}


def room_of(name):
    parts = name.split(".")
    rooms = ROOMS.get(parts[0], [])
    return parts[1] if len(parts) > 2 and parts[1] in rooms else None


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_apps_import_only_the_layers_below_them(app):
    offending = {
        f"{name} imports {package}"
        for name in MODULES
        if name.split(".")[0] == app
        for package in top_packages(name)
        if package != app and package not in ALLOWED[app]
    }
    assert not offending


@pytest.mark.parametrize("app", sorted(ROOMS))
def test_rooms_import_only_the_rooms_below_them(app):
    rooms = ROOMS[app]
    offending = set()
    for name in MODULES:
        room = room_of(name) if name.split(".")[0] == app else None
        if room is None:
            continue
        below = set(rooms[: rooms.index(room)])
        for target in imports_of(name):
            if target.split(".")[0] != app:
                continue
            target_room = room_of(target)
            if target_room is None:
                offending.add(f"{name} imports {target}, which is above the rooms")
            elif target_room != room and target_room not in below:
                offending.add(f"{name} ({room}) imports {target} ({target_room})")
    assert not offending


@pytest.mark.parametrize("app", sorted(ROOMS))
def test_the_rooms_are_those_of_architecture_md(app):
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert sorted(
        p.name
        for p in (ROOT / app).iterdir()
        if (p / "__init__.py").exists() and p.name not in ("management", "migrations")
    ) == sorted(ROOMS[app])
    order = re.search(rf"Rooms of `{app}`, from the bottom up: (.*?)\.\s", text).group(1)
    assert re.findall(r"`(\w+)/`", order) == ROOMS[app]


def test_the_apps_table_of_architecture_md_is_the_rule_tested_here():
    """Each app's row says what it may import: the same sets as ALLOWED, and every app of ours has a row."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, re.M))
    table = {}
    for app, allowed in rows.items():
        if app in OURS:
            table[app] = OURS if allowed.strip() == "all" else set(re.findall(r"`(\w+)`", allowed))
    assert table == ALLOWED
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert packages - {"bench"} == OURS


def test_no_module_imports_one_that_imports_it_back():
    cycles = set()
    for start in MODULES:
        # Depth-first search for a path from one of start's imports back to start.
        stack, seen = [(target, (start, target)) for target in imports_of(start)], set()
        while stack:
            current, path = stack.pop()
            if current == start:
                cycles.add(" → ".join(path))
                break
            if current in seen:
                continue
            seen.add(current)
            stack.extend((target, (*path, target)) for target in imports_of(current))
    assert not cycles


def django_free_modules():
    """The modules ARCHITECTURE.md lists after "Django-free", as `app/path.py` in backquotes."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    paragraph = re.search(r"\*\*Django-free modules\*\*(.*?)\n\n", text, re.S).group(1)
    return re.findall(r"`([\w/]+\.py)`", paragraph)


def test_architecture_md_names_django_free_modules():
    assert len(django_free_modules()) >= 8


@pytest.mark.parametrize("path", django_free_modules())
def test_django_free_modules_import_no_django(path):
    name = path.removesuffix(".py").replace("/", ".")
    assert name in MODULES, f"{path} is named in ARCHITECTURE.md but does not exist"
    reached, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in reached:
            continue
        reached.add(current)
        todo.extend(imports_of(current))
    using_django = {module for module in reached if "django" in imported_top_levels(MODULES[module])}
    assert not using_django


def imported_top_levels(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names
