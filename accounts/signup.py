"""allauth's sign-up form, made safe against two sign-ups with one email at the same moment.

Both requests pass the "email not taken yet" check before either writes; the database's unique
index then refuses the second insert. The loser's write is undone inside a savepoint and it gets
the answer any sign-up with a taken email gets (allauth's anti-enumeration answer: "check your
email", and a mail to the address saying it already has an account), never a 500.

Kept apart from `accounts.forms`, which allauth imports while building this form's base class.
"""

from allauth.account.forms import SignupForm
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction


class PortalSignupForm(SignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            return super().try_save(request)
        email = self.cleaned_data.get("email") or ""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            if not get_user_model().objects.filter(email__iexact=email).exists():
                raise  # some other constraint: not the race this form knows how to answer
        self.account_already_exists = True
        return super().try_save(request)
