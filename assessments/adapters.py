"""How django-allauth treats this app's accounts, where its defaults do not fit."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from . import tokens


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Count allauth's e-mails (confirmations, resets) in the app's one per-mailbox limit.

        Over the limit the mail is dropped silently: the pages say the same
        either way, so nobody learns anything, and the mailbox is left alone.
        """
        from allauth.core import context as allauth_context

        from .throttle import allowed

        if allowed(allauth_context.request, "mail", address=email):
            super().send_mail(template_prefix, email, context)

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

    def encrypt(self, text):
        return tokens.seal(text.encode(), MFA_SECRETS).decode()

    def decrypt(self, encrypted_text):
        return tokens.unseal(encrypted_text.encode(), MFA_SECRETS).decode()


MFA_SECRETS = "smarketing.mfa-secrets"
