"""Start the test ENT: `python -m tests.oidc_provider.serve <folder> <users JSON> <client JSON>`.

It generates its RSA key, migrates its SQLite file in <folder>, creates its users and pixdeploy's client
(confidential, authorization code, skip_authorization: no consent screen), then serves on a free loopback port,
written to <folder>/port once it listens.
"""

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(folder, users, client):
    folder = Path(folder)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_PROVIDER_KEY"] = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    os.environ["OIDC_PROVIDER_DB"] = str(folder / "provider.sqlite3")
    os.environ["OIDC_PROVIDER_USERS"] = users
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for entry in json.loads(users):
        User.objects.create_user(entry["username"], password=entry["password"])
    client = json.loads(client)
    Application.objects.create(
        name="pixdeploy",
        client_id=client["client_id"],
        client_secret=client["secret"],
        hash_client_secret=True,
        redirect_uris=" ".join(client["redirect_uris"]),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", 0, get_wsgi_application(), ThreadingServer, QuietHandler)
    (folder / "port.tmp").write_text(str(server.server_port))
    (folder / "port.tmp").rename(folder / "port")
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:4])
