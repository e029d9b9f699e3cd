"""CI's dependency audit: a known vulnerability fails, an unreachable vulnerability database only warns."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

CLEAN = {"name": "segno", "version": "1.6.6", "vulns": []}
SKIPPED = {"name": "lxml", "skip_reason": "Dependency not found on PyPI and could not be audited: lxml (6.1.3)"}
VULNERABLE = {
    "name": "django",
    "version": "5.2.1",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"], "aliases": [], "description": "…"}],
}


def test_a_known_vulnerability_fails_with_the_fixed_version():
    code, lines = audit.summary({"dependencies": [CLEAN, VULNERABLE], "fixes": []})

    assert code == 1
    assert "VULNÉRABILITÉ : django 5.2.1 — PYSEC-2025-1 (corrigé dans : 5.2.2)" in lines


def test_a_clean_audit_passes():
    assert audit.summary({"dependencies": [CLEAN]}) == (
        0,
        ["Aucune vulnérabilité connue dans les 1 paquet(s) audité(s)."],
    )


def test_packages_the_database_could_not_tell_only_warn_unless_strict():
    report = {"dependencies": [CLEAN, SKIPPED]}

    code, lines = audit.summary(report)
    assert code == 0
    assert lines[0].startswith("AVERTISSEMENT : 1 paquet(s) sur 2 non audité(s)")
    assert audit.summary(report, strict=True)[0] == 2
    # A vulnerability found among the audited ones fails all the same.
    assert audit.summary({"dependencies": [SKIPPED, VULNERABLE]})[0] == 1


def test_no_report_at_all_warns_that_the_audit_was_not_done():
    code, lines = audit.summary(None)

    assert code == 0
    assert "audit non fait" in lines[0]
    assert audit.summary(None, strict=True)[0] == 2
