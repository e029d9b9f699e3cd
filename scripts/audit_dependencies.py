"""Audit the installed Python packages for known vulnerabilities (pip-audit), as CI does after installing.

    .venv/bin/python scripts/audit_dependencies.py        (make audit)

It audits the environment of the Python that runs it: in CI, the virtualenv built from requirements.txt and
requirements-dev.txt, every package and their dependencies at the versions actually installed.

- A known vulnerability: the packages, advisories and fixed versions are printed, exit code 1.
- The vulnerability database cannot be read (no network, or an index that does not serve PyPI's per-version
  JSON): a warning says how many packages went unaudited, exit code 0. A check that cannot run says so; it
  does not turn CI red for a fault of the network. AUDIT_STRICT=1 makes it an error (exit code 2).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def verdict(report):
    """(vulnerable, unaudited) from pip-audit's JSON: [(name, version, [(id, fixes)])], [names]."""
    vulnerable, unaudited = [], []
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            unaudited.append(dependency["name"])
        elif dependency.get("vulns"):
            advisories = [(vuln["id"], vuln.get("fix_versions", [])) for vuln in dependency["vulns"]]
            vulnerable.append((dependency["name"], dependency.get("version", "?"), advisories))
    return vulnerable, unaudited


def summary(report, strict=False):
    """(exit code, lines to print) for a pip-audit JSON report, or None when pip-audit gave none."""
    if report is None:
        lines = ["AVERTISSEMENT : pip-audit n'a pas pu lire la base de vulnérabilités (réseau ?) : audit non fait."]
        return (2 if strict else 0), lines
    vulnerable, unaudited = verdict(report)
    audited = len(report.get("dependencies", [])) - len(unaudited)
    lines = []
    for name, version, advisories in vulnerable:
        for advisory, fixes in advisories:
            fixed = ", ".join(fixes) or "aucune version corrigée"
            lines.append(f"VULNÉRABILITÉ : {name} {version} — {advisory} (corrigé dans : {fixed})")
    if unaudited:
        lines.append(
            f"AVERTISSEMENT : {len(unaudited)} paquet(s) sur {len(unaudited) + audited} non audité(s), la base de "
            f"vulnérabilités ne les connaît pas ou n'a pas répondu : {', '.join(sorted(unaudited)[:10])}"
            + (" …" if len(unaudited) > 10 else "")
        )
    if vulnerable:
        lines.append(f"{len(vulnerable)} paquet(s) vulnérable(s) : montez la version épinglée, puis `make test`.")
        return 1, lines
    if audited:
        lines.append(f"Aucune vulnérabilité connue dans les {audited} paquet(s) audité(s).")
    else:
        lines.append("AVERTISSEMENT : aucun paquet n'a pu être audité : l'audit n'a rien vérifié.")
    return (2 if strict and unaudited else 0), lines


def run_pip_audit():
    """pip-audit's JSON report of this Python's environment, or None if it produced none."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "audit.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "-o", str(output)],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            return json.loads(output.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            print((done.stderr.strip().splitlines() or [""])[-1][:500], file=sys.stderr)
            return None


def main():
    code, lines = summary(run_pip_audit(), strict=os.environ.get("AUDIT_STRICT") == "1")
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
