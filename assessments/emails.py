"""Every e-mail the app sends: one helper renders subject, text and HTML templates.

No text typed by a visitor reaches a subject; bodies quote it plainly. Plain
text is rendered without HTML escaping, so "O'Brien & Sons" reads as typed.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from . import tokens
from .models import private_url


def _plain(name, context):
    return get_template(name).template.render(Context(context, autoescape=False))


def message(template, recipient, context, language, unsubscribe_url=None):
    """Render TEMPLATE-subject.txt / -body.txt / -body.html in LANGUAGE as one message.

    With UNSUBSCRIBE_URL, the body links to it and the headers offer it for
    one-click unsubscribing (RFC 8058), so a mail client's button works too.
    """
    context = {**context, "unsubscribe_url": unsubscribe_url, "site_name": settings.SITE_NAME}
    with translation.override(language):
        subject = _plain(f"emails/{template}-subject.txt", context)
        text = _plain(f"emails/{template}-body.txt", context)
        html = render_to_string(f"emails/{template}-body.html", context)
    headers = {}
    if unsubscribe_url:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    email = EmailMultiAlternatives(" ".join(subject.split()), text, to=[recipient], headers=headers)
    email.attach_alternative(html, "text/html")
    return email


def send(template, recipient, context, language, unsubscribe_url=None):
    send_batch([message(template, recipient, context, language, unsubscribe_url)])


def send_batch(messages):
    """Send MESSAGES over one SMTP connection (opening one costs more than sending a message)."""
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)


def send_private_link(response, token):
    url = private_url(token)
    send("private-link", response.email, {"response": response, "url": url}, response.language)


def round_invitation(response, token, inviter):
    url = private_url(token)
    context = {"response": response, "url": url, "inviter": inviter, "round": response.round}
    return message("round-invitation", response.email, context, response.language)


def send_round_invitation(response, token, inviter):
    send_batch([round_invitation(response, token, inviter)])


def send_member_invitation(invitation):
    """Send the invitation in the language its inviter chose for the invitee."""
    url = settings.SITE_URL + reverse("accept_invitation", args=[invitation.token])
    context = {"invitation": invitation, "url": url, "valid_days": invitation.VALID_FOR.days}
    send("member-invitation", invitation.email, context, invitation.language)


def reminder(response, token):
    """A reminder carries a fresh private link: only digests are stored, so none can be re-sent."""
    url = private_url(token)
    context = {"response": response, "url": url, "round": response.round}
    return message(
        "reminder", response.email, context, response.language, _unsubscribe_url("r", response)
    )


def send_reminder(response):
    send_batch([reminder(response, response.issue_link())])


def due_notice(membership, due):
    organization = membership.organization
    url = settings.SITE_URL + reverse("assessments:round_new", args=[organization.pk])
    context = {"organization": organization, "due": due, "url": url}
    unsubscribe_url = _unsubscribe_url("d", membership)
    return message(
        "due-notice", membership.user.email, context, membership.language, unsubscribe_url
    )


def send_due_notice(membership, due):
    send_batch([due_notice(membership, due)])


def _unsubscribe_url(kind, obj):
    return settings.SITE_URL + reverse(
        "assessments:unsubscribe", args=[tokens.unsubscribe_token(kind, obj.pk)]
    )
