#!/usr/bin/env sh
# Restauration d'une sauvegarde de pixdeploy dans une base NEUVE et un dossier de fichiers vide, vérifiée
# d'après le manifeste. Une base qui contient déjà des tables est refusée : rien n'est jamais écrasé.
#   scripts/restore.sh DOSSIER_DE_SAUVEGARDE BASE_NEUVE DOSSIER_DES_FICHIERS [--json]
# BASE_NEUVE : un nom (sur le serveur de DATABASE_URL) ou une URL postgres://. Voir docs/operations.md.
set -eu
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  echo "Usage : scripts/restore.sh DOSSIER_DE_SAUVEGARDE BASE_NEUVE DOSSIER_DES_FICHIERS [--json]" >&2
  exit 2
fi
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
folder=$1 database=$2 media=$3
shift 3
exec "$python" manage.py restore "$folder" --into "$database" --media-root "$media" "$@"
