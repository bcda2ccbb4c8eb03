"""Joining an organization through a member's invitation, the account page, and resending a
confirmation.

Sign-up, login, e-mail verification and passwords are django-allauth's (see
smarketing/urls.py); this module only adds what is the app's own.
"""

from allauth.account.adapter import get_adapter
from allauth.account.internal.constants import LoginStageKey
from allauth.account.internal.flows.email_verification import (
    consume_email_verification_rate_limit,
    send_verification_email_at_login,
)
from allauth.account.models import EmailAddress
from allauth.account.stages import LoginStageController
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..adapters import landing_url
from ..forms import AccountForm, DeleteAccountForm
from ..models import MemberInvitation, Membership
from ..throttle import allowed


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


@login_required
def home(request):
    """Where the user's work is (the same place a login lands on)."""
    return redirect(landing_url(request.user))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The user's name, shown to their team and in the e-mails they send, and e-mail language."""
    user = request.user
    memberships = user.memberships.all()
    language = next((m.language for m in memberships), get_language())
    form = AccountForm(
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "language": language},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user.first_name = form.cleaned_data["first_name"].strip()
            user.last_name = form.cleaned_data["last_name"].strip()
            user.save(update_fields=["first_name", "last_name"])
            memberships.update(language=form.cleaned_data["language"])
        messages.success(request, _("Saved."))
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form})


def _organizations_left_alone(user):
    """The organizations USER is the only member of: deleting the account would orphan them."""
    return [
        membership.organization
        for membership in Membership.objects.filter(user=user)
        .select_related("organization")
        .annotate(members=Count("organization__memberships"))
        if membership.members == 1
    ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Delete the account after its password; never while it is an organization's last member."""
    alone = _organizations_left_alone(request.user)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and not alone and form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, _("Your account is deleted."))
        return redirect("stages:home")
    context = {"form": form, "alone": alone}
    return render(request, "registration/delete_account.html", context, status=200)


@never_cache
@require_POST
def resend_confirmation(request):
    """Send the confirmation e-mail of the sign-up or login waiting in this browser again.

    Within the limits of that address (allauth's for confirmations, the app's
    per mailbox); over them, nothing is sent and the page says so. The answer
    is the same whether the address has an account or not (a sign-up with a
    taken address waits too, and its owner is told again).
    """
    if request.user.is_authenticated:
        return redirect("account_email")
    # allauth keeps the sign-up or login that waits for a confirmed address in
    # the session; these internal helpers are pinned with django-allauth.
    stage = LoginStageController.enter(request, LoginStageKey.VERIFY_EMAIL.value)
    if stage is None:
        messages.info(
            request,
            _("Log in: if your e-mail address still needs confirming, a new link goes to it."),
        )
        return redirect("account_login")
    login = stage.login
    address = login.email or (login.user and EmailAddress.objects.get_primary_email(login.user))
    if address and not (
        consume_email_verification_rate_limit(request, address, dry_run=True)
        and allowed(request, "mail", address=address, dry_run=True)
    ):
        messages.error(
            request,
            _(
                "An e-mail went to this address a short while ago, so no other was sent. "
                "Look in your inbox and your spam folder, or ask again in a few minutes."
            ),
        )
    else:
        send_verification_email_at_login(request, login)
    return redirect("account_email_verification_sent")
