"""How django-allauth treats this app's accounts, where its defaults do not fit."""

import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smarketing import faults

from . import tokens
from .models import Membership

logger = logging.getLogger(__name__)


def landing_url(user):
    """Where USER's work is: a consultant's dashboard, their one organization, or their list.

    The list of organizations says what to do first when there is none.
    """
    if user.is_staff and user.has_perm("assessments.view_dashboard"):
        return reverse("admin:dashboard")
    memberships = list(Membership.objects.filter(user=user).select_related("organization")[:2])
    if len(memberships) == 1:
        return memberships[0].organization.get_absolute_url()
    return reverse("assessments:organizations")


def site_url(path):
    """PATH on the site, as e-mails link to it: SITE_URL, never the Host header of a request."""
    return settings.SITE_URL + path


@dataclass(frozen=True)
class Site:
    """What allauth's e-mail templates call current_site: the site's name and address."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is closed."),
        "cannot_remove_primary_email": _(
            "This is the address your e-mails go to: make another one primary first."
        ),
        "duplicate_email": _("This address is already one of your account's."),
        "email_password_mismatch": _("This e-mail address and password do not match."),
        "email_taken": _("This address belongs to another account."),
        "enter_current_password": _("Type your current password."),
        "incorrect_code": _("This code is not right."),
        "incorrect_password": _("This is not your password."),
        "invalid_or_expired_key": _("This link expired or was already used."),
        "invalid_login": _("This e-mail address and password do not match."),
        "invalid_password_reset": _("This link expired or was already used."),
        "max_email_addresses": _("An account holds at most %d e-mail addresses."),
        "too_many_login_attempts": _(
            "Too many failed attempts to log in: the account is locked for a few minutes. "
            "Try again later, or set a new password."
        ),
        "unknown_email": _("No account has this address."),
        "unverified_primary_email": _("The primary address must be confirmed first."),
        "same_as_current": _("This is the current value: type a different one."),
        "rate_limited": _("Too many requests in a short time. Wait a little and try again."),
    }

    MAIL_NOT_SENT = _(
        "The e-mail could not be sent just now: our mail server did not accept it. "
        "Nothing you did is lost. Ask for it again in a few minutes."
    )

    def send_mail(self, template_prefix, email, context):
        """Send in the site's name, and count the mail in the app's one per-mailbox limit.

        allauth would name the site after the request's host; every e-mail
        names it SITE_NAME at SITE_URL's host. Over the limit the mail is
        dropped silently: the pages say the same either way, so nobody learns
        anything, and the mailbox is left alone.
        """
        from allauth.core import context as allauth_context

        from .throttle import allowed

        request = allauth_context.request
        if not allowed(request, "mail", address=email):
            return
        site = Site(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        try:
            super().send_mail(template_prefix, email, {**context, "current_site": site})
        except (smtplib.SMTPException, OSError) as exc:
            # Sent during the request, as allauth does: its links carry secrets the
            # queue would keep readable. A mail server that refuses or is away must
            # not fail the page; the person is told, and every such page can send
            # again (the confirmation page's "send again", the reset form).
            logger.warning(
                "Account e-mail not sent (%s): %s", template_prefix, faults.describe(exc)
            )
            if request is not None:
                messages.error(request, self.MAIL_NOT_SENT)

    def format_email_subject(self, subject):
        return f"{settings.SITE_NAME}: {subject}"

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email):
        context = {
            "signup_url": site_url(reverse("account_signup")),
            "password_reset_url": site_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def get_login_redirect_url(self, request):
        """Land where the work is, unless the login page was given a safe ?next=."""
        return landing_url(request.user)

    def get_signup_redirect_url(self, request):
        return landing_url(request.user)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Count failed logins per account, whatever Host header the request came with."""
        login = credentials.get("email", credentials.get("username", ""))
        return str(login).strip().lower()

    def unstash_verified_email(self, request):
        """Trust an invitation's address only for a sign-up with that very address.

        Following a member invitation proves access to the invited mailbox
        (accounts.accept_invitation stashes the address). allauth would add it,
        confirmed, to any account signed up in that session, whatever address
        was typed; an account with another address must confirm that one and
        cannot take the invitation.
        """
        stashed = super().unstash_verified_email(request)
        typed = str(request.POST.get("email", "")).strip().lower()
        return stashed if stashed and stashed.lower() == typed else None


class MFAAdapter(DefaultMFAAdapter):
    """Keep two-factor secrets (TOTP keys, recovery-code seeds) encrypted in the database.

    The key is derived from SECRET_KEY; keys in SECRET_KEY_FALLBACKS still
    decrypt, so the secret key can be rotated.
    """

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": _(
            "With two-factor authentication on, addresses cannot be added: turn it off first."
        ),
        "cannot_delete_authenticator": _("Two-factor authentication cannot be turned off."),
        "cannot_generate_recovery_codes": _(
            "Recovery codes come with two-factor authentication: turn it on first."
        ),
        "incorrect_code": _("This code is not right."),
        "unverified_email": _(
            "Confirm your e-mail address before turning on two-factor authentication."
        ),
    }

    def encrypt(self, text):
        return tokens.seal(text.encode(), MFA_SECRETS).decode()

    def decrypt(self, encrypted_text):
        return tokens.unseal(encrypted_text.encode(), MFA_SECRETS).decode()


MFA_SECRETS = "smarketing.mfa-secrets"
