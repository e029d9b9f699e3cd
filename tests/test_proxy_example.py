"""The nginx example of docs/operations.md refuses uploads just above pixdeploy's limit with a French page."""

import re
from pathlib import Path

from orga.pupils.siecle import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "exemples" / "nginx-pixdeploy.conf"


def test_nginx_example_limits_the_body_just_above_the_app_and_answers_413_in_french():
    conf = EXAMPLE.read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert MAX_FILE_BYTES < megabytes * 1024 * 1024 <= MAX_FILE_BYTES + 2 * 1024 * 1024
    assert "error_page 413 @fichier_trop_volumineux;" in conf
    page = re.search(r"location @fichier_trop_volumineux \{.*?return 413 '(.*?)';", conf, re.S).group(1)
    assert '<html lang="fr">' in page and "Fichier trop volumineux" in page and "20 Mo" in page
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf
    assert "docs/exemples/nginx-pixdeploy.conf" in (ROOT / "docs" / "operations.md").read_text()
