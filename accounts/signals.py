from allauth.account.signals import password_changed, password_reset
from django.dispatch import Signal, receiver

from . import rate_limits

# Sent when a sign-in is refused because of too many failures (rate_limits.PASSWORD): `request`, `login`.
# The school's journal (orga) records it; accounts knows nothing of schools.
sign_in_locked = Signal()


@receiver(password_changed)
@receiver(password_reset)
def clear_temporary_password(request, user, **kwargs):
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


@receiver(password_reset)
def forgive_wrong_passwords(request, user, **kwargs):
    """Reset by e-mail: the account's wrong passwords no longer hold it back."""
    rate_limits.forgive([user.id])
