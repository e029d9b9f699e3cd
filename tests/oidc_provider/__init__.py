"""The test ENT, started for the tests that sign in through OpenID Connect (see settings.py and serve.py)."""

import json
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_ID = "ent-test"
CLIENT_ID = "pixdeploy-tests"
SECRET = "secret-du-client-pixdeploy"
CALLBACK = f"/comptes/oidc/{PROVIDER_ID}/login/callback/"
PUPIL_INE = "0601234567K"
TEACHER_EMAIL = "prof.ent@college.example"
PASSWORD = "mot-de-passe-ENT-1"
# The ENT's users: their `sub`, their claims, and for some a fault committed on their ID token.
USERS = [
    {"username": "eleve", "sub": "ent-eleve-1", "claims": {"FrEduCtEleveINE": PUPIL_INE, "given_name": "Léa"}},
    {"username": "inconnu", "sub": "ent-inconnu", "claims": {"FrEduCtEleveINE": "0609999999Z"}},
    {"username": "prof", "sub": "ent-prof-1", "claims": {"email": TEACHER_EMAIL.upper(), "email_verified": True}},
    {"username": "prof-non-verifie", "sub": "ent-prof-2", "claims": {"email": TEACHER_EMAIL, "email_verified": False}},
    {"username": "jeton-audience", "sub": "ent-f1", "claims": {"FrEduCtEleveINE": PUPIL_INE}, "fault": "audience"},
    {"username": "jeton-nonce", "sub": "ent-f2", "claims": {"FrEduCtEleveINE": PUPIL_INE}, "fault": "nonce"},
    {"username": "jeton-signature", "sub": "ent-f3", "claims": {"FrEduCtEleveINE": PUPIL_INE}, "fault": "signature"},
    {"username": "jeton-hs256", "sub": "ent-f5", "claims": {"FrEduCtEleveINE": PUPIL_INE}, "fault": "algorithm"},
    {"username": "userinfo-autre", "sub": "ent-f4", "claims": {"FrEduCtEleveINE": PUPIL_INE}, "fault": "userinfo"},
]


@dataclass(frozen=True)
class Provider:
    url: str  # the issuer: discovery at url + "/.well-known/openid-configuration"

    def app(self, **extra):
        """pixdeploy's configuration of this ENT, as a deployment writes it in OIDC_PROVIDERS."""
        return {
            "id": PROVIDER_ID,
            "name": "ENT de test",
            "server_url": self.url,
            "client_id": CLIENT_ID,
            "secret": SECRET,
            "ine_claim": "FrEduCtEleveINE",
            **extra,
        }


@contextmanager
def running_provider(folder):
    """Start the ENT in its own process on a free loopback port; stop it on leaving."""
    users = [{**user, "password": PASSWORD} for user in USERS]
    client = {
        "client_id": CLIENT_ID,
        "secret": SECRET,
        # Loopback: any port of the live server (RFC 8252); testserver: Django's test client.
        "redirect_uris": [f"http://localhost{CALLBACK}", f"http://127.0.0.1{CALLBACK}", f"http://testserver{CALLBACK}"],
    }
    with open(folder / "provider.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(folder), json.dumps(users), json.dumps(client)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        port_file = folder / "port"
        for _ in range(600):
            if port_file.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        if not port_file.exists():
            raise RuntimeError(f"L'ENT de test n'a pas démarré : {(folder / 'provider.log').read_text()[-2000:]}")
        yield Provider(url=f"http://127.0.0.1:{port_file.read_text()}/o")
    finally:
        process.terminate()
        process.wait(timeout=10)
