"""Joining an organization through a member's invitation.

Sign-up, login, e-mail verification and passwords are django-allauth's (see
smarketing/urls.py); this module only adds what is the app's own.
"""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import MemberInvitation


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """Only an account with the invited address, verified, becomes a member."""
    invitation = get_object_or_404(
        MemberInvitation.objects.by_token(token).select_related("organization", "invited_by")
    )
    if not invitation.is_usable:
        return render(request, "registration/invitation_invalid.html", status=410)
    context = {"invitation": invitation}
    if not request.user.is_authenticated:
        # The link went to the invited address, so whoever follows it reads that
        # mailbox: signing up with that address needs no second confirmation.
        get_adapter(request).stash_verified_email(request, invitation.email)
        here = request.get_full_path()
        context["signup_url"] = (
            reverse("account_signup") + "?" + urlencode({"email": invitation.email, "next": here})
        )
        context["login_url"] = reverse("account_login") + "?" + urlencode({"next": here})
        return render(request, "registration/invitation.html", context)
    addressed_to_user = EmailAddress.objects.filter(
        user=request.user, email__iexact=invitation.email, verified=True
    ).exists()
    if request.method == "POST" and addressed_to_user:
        with transaction.atomic():
            organization = invitation.accept(request.user, language=get_language())
        messages.success(request, _("You are now a member of %(name)s.") % {"name": organization})
        return redirect(organization)
    context["addressed_to_user"] = addressed_to_user
    return render(request, "registration/invitation.html", context)
