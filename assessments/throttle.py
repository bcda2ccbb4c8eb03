"""Rate limits for the app's own views, counted in the shared cache.

The same limiter (django-allauth's) and the same settings (ACCOUNT_RATE_LIMITS)
as the login, sign-up and password-reset views, so one configuration and one
rule for the client's address cover every endpoint that writes rows for
strangers or sends e-mail.
"""

from allauth.core import ratelimit
from django.shortcuts import render


def allowed(request, action, *, address=None, dry_run=False):
    """Count one use of ACTION by this client, account or e-mail ADDRESS; False once over.

    With DRY_RUN, only tell whether one more use would be allowed.
    """
    key = address.strip().lower() if address else None
    return ratelimit.consume(request, action=action, key=key, dry_run=dry_run)


def may_mail(request, form, field="email"):
    """Count an e-mail to the address in FORM's FIELD; False, with the error on the field, if over.

    A form without an address there sends nothing and is always allowed.
    """
    from .forms import MAIL_LIMITED

    address = form.cleaned_data.get(field)
    if address and not allowed(request, "mail", address=address):
        form.add_error(field, MAIL_LIMITED)
        return False
    return True


def too_many(request):
    """The page for a request over a limit: nothing was written or sent."""
    return render(request, "429.html", status=429)
