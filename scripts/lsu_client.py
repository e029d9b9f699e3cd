#!/usr/bin/env python3
"""A client of the livret scolaire's API, as LSU or LSL uses it: a token, then a school's certifications.

    python scripts/lsu_client.py --base-url https://pixdeploy.example.fr --uai 0693834T \
        --client-id client-… --client-secret …

(the secret may also come from the LSU_CLIENT_SECRET environment variable). Prints the certifications as JSON;
exits with 1 and the API's error on a refusal.
"""

import argparse
import json
import os
import sys

import requests

SCOPE = "organizations-certifications-result"
TIMEOUT_SECONDS = 30


def fetch_token(session, base_url, client_id, client_secret, scope=SCOPE):
    response = session.post(
        f"{base_url}/api/application/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        },
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def fetch_certifications(session, base_url, uai, token):
    response = session.get(
        f"{base_url}/api/organizations/{uai}/certifications",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    return response.json()["data"]["attributes"]["certifications"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Récupère les certifications d'un établissement (LSU/LSL).")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--uai", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default=os.environ.get("LSU_CLIENT_SECRET"))
    parser.add_argument("--scope", default=SCOPE)
    args = parser.parse_args(argv)
    if not args.client_secret:
        parser.error("--client-secret ou LSU_CLIENT_SECRET est requis")
    base_url = args.base_url.rstrip("/")
    with requests.Session() as session:
        try:
            token = fetch_token(session, base_url, args.client_id, args.client_secret, args.scope)
            certifications = fetch_certifications(session, base_url, args.uai, token)
        except requests.HTTPError as error:
            print(error.response.text, file=sys.stderr)
            return 1
    print(json.dumps(certifications, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
