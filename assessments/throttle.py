"""Rate limits for the app's own views.

Per client address, account or mailbox, counted in the shared cache by the
same limiter (django-allauth's) and the same settings (ACCOUNT_RATE_LIMITS) as
the login, sign-up and password-reset views, so one configuration and one rule
for the client's address cover every endpoint that writes rows for strangers
or sends e-mail. A round's shared link is also capped per round, by a number
its members set (Round.starts_per_hour), counted from the responses
themselves: the abuse it stops is a link passed around too widely, whatever
the addresses it comes from.
"""

import math
from datetime import timedelta

from allauth.core import ratelimit
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Response, Round

LINK_WINDOW = timedelta(hours=1)

MAIL_LIMITED = _(
    "Too many e-mails went to this address in the last hours, so nothing was saved or sent. "
    "Try again later."
)


def mailbox(address):
    """The mailbox ADDRESS reaches, so one mailbox counts once whatever spelling reaches it.

    As the SMTP backend writes it (fullwidth letters, soft hyphens, zero-width
    characters and quoted local parts all reach the same mailbox), in lower
    case, without a "+tag" (sub-addresses reach the mailbox without it at
    most providers), with the dots of the local part dropped where the
    provider ignores them (MAILBOX_DOTLESS_DOMAINS) and a provider's other
    domains folded into one (MAILBOX_DOMAIN_ALIASES). Counting the typed text
    would let each variant have limits of its own.
    """
    try:
        written = sanitize_address(address.strip(), "utf-8").lower()
    except (ValueError, TypeError):
        written = address.strip().lower()
    local, at, domain = written.rpartition("@")
    if not at:
        return written
    local = local.strip('"').split("+", 1)[0] or local
    domain = settings.MAILBOX_DOMAIN_ALIASES.get(domain, domain)
    if domain in settings.MAILBOX_DOTLESS_DOMAINS:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def allowed(request, action, *, address=None, dry_run=False):
    """Count one use of ACTION by this client, account or e-mail ADDRESS; False once over.

    With DRY_RUN, only tell whether one more use would be allowed.
    """
    key = mailbox(address) if address else None
    return ratelimit.consume(request, action=action, key=key, dry_run=dry_run)


def may_mail(request, form, field="email"):
    """Count an e-mail to the address in FORM's FIELD; False, with the error on the field, if over.

    A form without an address there sends nothing and is always allowed.
    """
    address = form.cleaned_data.get(field)
    if address and not allowed(request, "mail", address=address):
        form.add_error(field, MAIL_LIMITED)
        return False
    return True


def too_many(request):
    """The page for a request over a limit: nothing was written or sent."""
    return render(request, "429.html", status=429)


def link_busy_until(round, *, lock=False):
    """When ROUND's shared link takes its next start, or None if it takes one now.

    Counts the responses started through the link (those not invited) in the
    last hour against the round's starts_per_hour. With LOCK the round's row
    is locked first, so that simultaneous starts are counted one after the
    other: call it so in the transaction that saves the start.
    """
    rounds = Round.objects.filter(pk=round.pk)
    if lock:
        rounds = rounds.select_for_update()
    cap = rounds.values_list("starts_per_hour", flat=True).get()
    starts = Response.objects.filter(
        round=round, invited_at__isnull=True, created_at__gt=timezone.now() - LINK_WINDOW
    )
    count = starts.count()
    if count < cap:
        return None
    # The start whose hour ends first frees a place, once as many as the cap remain.
    freed = starts.order_by("created_at").values_list("created_at", flat=True)[count - cap]
    return freed + LINK_WINDOW


def link_busy(request, round, until):
    """The page for a start over the round's cap: nothing was written; try again after UNTIL."""
    seconds = max(60, math.ceil((until - timezone.now()).total_seconds()))
    context = {"round": round, "minutes": math.ceil(seconds / 60)}
    response = render(request, "assessments/join_busy.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
