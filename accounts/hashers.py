from django.contrib.auth.hashers import PBKDF2PasswordHasher


class TemporaryPasswordHasher(PBKDF2PasswordHasher):
    """For one-time passwords printed on a class sheet, to be changed at first sign-in.

    A class of 35 must be generated within a request: full-strength PBKDF2 would take
    about 20 s. The pupil's own password, chosen at first sign-in, gets the default hasher.
    """

    algorithm = "pbkdf2_sha256_temporary"
    iterations = 60_000
