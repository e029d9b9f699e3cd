"""Sign-in through the ENT or ÉduConnect: allauth's OpenID Connect provider, made strict on the ID token."""
