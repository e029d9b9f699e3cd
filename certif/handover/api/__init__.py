"""The livret scolaire's API, as Pix offers it to LSU (collège) and LSL (lycée): an OAuth2 client-credentials token
(`tokens.py`, clients in `clients.py`), then a school's certifications by UAI (`certifications.py`), as JSON:API
bodies (`bodies.py`), described by an OpenAPI document (`openapi.py`)."""
