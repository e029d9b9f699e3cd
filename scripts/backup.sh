#!/usr/bin/env sh
# Sauvegarde de pixdeploy : la base (pg_dump -Fc) et les fichiers déposés (MEDIA_ROOT) dans un dossier daté,
# avec manifest.json (lignes et empreinte des tables principales, empreinte de chaque fichier).
#   scripts/backup.sh [DOSSIER]          (par défaut var/sauvegardes ; DATABASE_URL et MEDIA_ROOT comme l'application)
# Voir docs/operations.md, « Sauvegarde et restauration ».
set -eu
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
[ $# -gt 0 ] || set -- var/sauvegardes
exec "$python" manage.py backup "$@"
