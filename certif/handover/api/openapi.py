"""The API's OpenAPI 3.1 document, served at /api/openapi.json; the tests check real responses against its
schemas (JSON Schema 2020-12, as OpenAPI 3.1 writes them)."""

from ..models import CERTIFICATIONS_SCOPE


def _json(schema_name, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


_NULLABLE_STRING = {"type": ["string", "null"]}


def _closed(properties, required=None):
    """An object with these properties only, all of them required unless `required` says otherwise."""
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        "properties": properties,
    }


def _list_of(schema_name):
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}}


SCHEMAS = {
    "Errors": _closed(
        {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": _closed(
                    {
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                        "status": {"type": "string", "pattern": "^[45][0-9][0-9]$"},
                    }
                ),
            }
        }
    ),
    "Token": _closed(
        {
            "token_type": {"const": "bearer"},
            "access_token": {"type": "string", "minLength": 1},
            "client_id": {"type": "string"},
        }
    ),
    "CompetenceResult": _closed(
        {
            "competenceId": {"type": "string", "pattern": "^[1-5]\\.[1-9]$", "examples": ["1.1"]},
            "level": {"type": "integer", "minimum": -1, "maximum": 8},
        }
    ),
    "Certification": _closed(
        {
            "id": {"type": "integer", "description": "Identifiant de la certification de l'élève"},
            "firstName": {"type": "string", "description": "Prénom de l'élève"},
            "middleName": {**_NULLABLE_STRING, "description": "Deuxième prénom"},
            "thirdName": {**_NULLABLE_STRING, "description": "Troisième prénom"},
            "lastName": {"type": "string", "description": "Nom de famille"},
            "birthdate": {"type": "string", "format": "date", "examples": ["2012-01-29"]},
            "nationalStudentId": {"type": "string", "description": "INE de l'élève"},
            "status": {
                "enum": ["validated", "rejected", "pending"],
                "description": "validated : certification obtenue ; rejected : non obtenue ; pending : passée mais "
                "pas encore publiée",
            },
            "pixScore": {"type": "integer", "minimum": 0, "description": "0 si non obtenue ou non publiée"},
            "verificationCode": {
                "type": ["string", "null"],
                "pattern": "^P-[A-Z0-9]{8}$",
                "description": "Code de vérification de l'attestation (null tant qu'il n'est pas attribué)",
                "examples": ["P-Y468BCDF"],
            },
            "date": {"type": "string", "format": "date-time", "description": "Date de passage"},
            "deliveredAt": {"type": ["string", "null"], "format": "date-time", "description": "Date de publication"},
            "certificationCenter": {"type": "string", "description": "Nom du centre de certification"},
            "competenceResults": _list_of("CompetenceResult"),
        }
    ),
    "Identifier": _closed({"type": {"type": "string"}, "id": {"type": "string"}}),
    "Included": _closed(
        {
            "type": {"enum": ["areas", "competences"]},
            "id": {"type": "string"},
            "attributes": _closed({"name": {"type": "string"}}),
            "relationships": _closed(
                {"area": _closed({"data": {"$ref": "#/components/schemas/Identifier"}})}, required=[]
            ),
        }
    ),
    "CertificationsResults": _closed(
        {
            "data": _closed(
                {
                    "type": {"const": "certificationsResults"},
                    "attributes": _closed({"certifications": _list_of("Certification")}),
                    "relationships": _closed({"competences": _closed({"data": _list_of("Identifier")})}),
                }
            ),
            "included": _list_of("Included"),
        }
    ),
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "pixdeploy — API du livret scolaire (LSU, LSL)",
        "version": "1.0.0",
        "description": "Les résultats de certification des élèves d'un établissement, par UAI, comme Pix les "
        "fournit au LSU et au LSL : un jeton (OAuth2, client credentials, valable 4 heures), puis les "
        "certifications.",
    },
    "servers": [{"url": "/api"}],
    "paths": {
        "/application/token": {
            "post": {
                "summary": "Obtenir un jeton d'accès",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["grant_type", "client_id", "client_secret", "scope"],
                                "properties": {
                                    "grant_type": {"const": "client_credentials"},
                                    "client_id": {"type": "string"},
                                    "client_secret": {"type": "string"},
                                    "scope": {
                                        "type": "string",
                                        "description": "une ou plusieurs portées séparées par des espaces",
                                        "examples": [CERTIFICATIONS_SCOPE],
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        **_json("Token", "Le jeton, valable 4 heures (Cache-Control: no-store)"),
                        "headers": {"Cache-Control": {"schema": {"const": "no-store"}}},
                    },
                    "400": _json("Errors", "grant_type différent de client_credentials, ou champ manquant"),
                    "401": _json("Errors", "client inconnu ou inactif, ou secret erroné"),
                    "403": _json("Errors", "une portée demandée n'est pas autorisée pour ce client"),
                    "415": _json("Errors", "corps de requête non encodé en formulaire"),
                    "429": _json("Errors", "trop d'échecs depuis cette adresse"),
                },
            }
        },
        "/organizations/{uai}/certifications": {
            "get": {
                "summary": "Les certifications des élèves d'un établissement",
                "description": "Pour chaque élève actif de l'établissement, sa dernière certification non "
                "annulée (y compris passée dans un autre établissement), triées par nom, prénom et identifiant. "
                "Non publiée : pending, score 0, sans compétences ; non obtenue : score 0, sans compétences. "
                "UAI inconnu ou sans résultat : liste vide.",
                "security": [{"bearer": [CERTIFICATIONS_SCOPE]}],
                "parameters": [
                    {
                        "name": "uai",
                        "in": "path",
                        "required": True,
                        "description": "UAI de l'établissement (sans distinction de casse)",
                        "schema": {"type": "string", "examples": ["0693834T"]},
                    }
                ],
                "responses": {
                    "200": _json("CertificationsResults", "Les certifications et le référentiel des compétences"),
                    "401": _json("Errors", "jeton absent, invalide ou expiré"),
                    "403": _json("Errors", f"jeton sans la portée {CERTIFICATIONS_SCOPE}"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "/api/application/token",
                        "scopes": {CERTIFICATIONS_SCOPE: "lire les résultats de certification d'un établissement"},
                    }
                },
            }
        },
        "schemas": SCHEMAS,
    },
}
