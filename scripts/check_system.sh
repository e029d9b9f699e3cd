#!/bin/sh
# What a Debian (or Ubuntu) machine needs besides Python to run pixdeploy: make, git, Python's venv,
# WeasyPrint's Pango and HarfBuzz libraries and a font. `make run`, `make test` and `make worker` call it.
#
#   scripts/check_system.sh [PYTHON]            prints the one `apt-get install` line to run, exit 1 if
#                                               something is missing; silent, exit 0 otherwise
#   scripts/check_system.sh --missing [PYTHON]  prints only the missing packages' names (for .ci/run)
#
# On a machine without dpkg it only warns: the same needs under other names, checked by no one.
set -u

mode=check
if [ "${1:-}" = "--missing" ]; then
  mode=missing
  shift
fi
python=${1:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
venv=${VENV:-.venv}

if ! command -v dpkg-query >/dev/null 2>&1; then
  if [ "$mode" = check ]; then
    echo "Attention : dpkg est absent, les paquets système ne sont pas vérifiés. pixdeploy a besoin de make, git," \
      "du module venv de Python 3.11, de Pango et HarfBuzz (avec hb-subset) pour WeasyPrint et d'une police" \
      "(DejaVu)." >&2
  fi
  exit 0
fi

missing=""
need() { missing="$missing $1"; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

command -v make >/dev/null 2>&1 || need make
command -v git >/dev/null 2>&1 || need git
if ! command -v "$python" >/dev/null 2>&1; then
  need python3
  need python3-venv
elif [ ! -x "$venv/bin/python" ] && ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  # Debian ships venv's pip bootstrap apart: python3-venv for the default Python, pythonX.Y-venv for another.
  version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  default=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
  if [ "$version" = "$default" ]; then need python3-venv; else need "python$version-venv"; fi
fi
# WeasyPrint (PDF documents): Pango, HarfBuzz with subsetting, and at least one font.
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core; do
  installed "$package" || need "$package"
done

missing=${missing# }
if [ "$mode" = missing ]; then
  [ -n "$missing" ] && echo "$missing"
  exit 0
fi
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo "
echo "Il manque des paquets système à pixdeploy ; installez-les, puis relancez la commande :" >&2
echo "${sudo}apt-get install -y $missing"
exit 1
