"""Every e-mail the app sends: one helper renders subject, text and HTML templates.

No text typed by a visitor reaches a subject; bodies quote it plainly. Plain
text is rendered without HTML escaping, so "O'Brien & Sons" reads as typed.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from stages.models import Stage

from . import results, tokens
from .models import Delivery, private_url


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


def private_link(response, token):
    url = private_url(token)
    context = {"response": response, "url": url}
    return message("private-link", response.email, context, response.language)


def round_invitation(response, token, inviter):
    url = private_url(token)
    context = {"response": response, "url": url, "inviter": inviter, "round": response.round}
    return message("round-invitation", response.email, context, response.language)


def member_invitation(invitation):
    """The invitation in the language its inviter chose for the invitee."""
    url = settings.SITE_URL + reverse("accept_invitation", args=[invitation.token])
    context = {"invitation": invitation, "url": url, "valid_days": invitation.VALID_FOR.days}
    return message("member-invitation", invitation.email, context, invitation.language)


def reminder(response, token):
    """A reminder carries a fresh private link: only digests are stored, so none can be re-sent."""
    url = private_url(token)
    context = {"response": response, "url": url, "round": response.round}
    return message(
        "reminder", response.email, context, response.language, _unsubscribe_url("r", response)
    )


def due_notice(membership, due):
    """The round is due; with where the latest round the members may see placed the team."""
    organization = membership.organization
    url = settings.SITE_URL + reverse("assessments:round_new", args=[organization.pk])
    context = {"organization": organization, "due": due, "url": url}
    latest = organization.rounds.published().first()
    if latest is not None:
        with translation.override(membership.language):
            stages = {stage.number: stage for stage in Stage.objects.all()}
            context["latest"] = latest
            context["standing"] = results.standing(
                latest.position, latest.stage, latest.flags, stages
            )
    unsubscribe_url = _unsubscribe_url("d", membership)
    return message(
        "due-notice", membership.user.email, context, membership.language, unsubscribe_url
    )


def compose(delivery):
    """The message DELIVERY stands for; a private link's token is on its response (issued)."""
    Kind = Delivery.Kind
    match delivery.kind:
        case Kind.PRIVATE_LINK:
            return private_link(delivery.response, delivery.response.token)
        case Kind.ROUND_INVITATION:
            return round_invitation(delivery.response, delivery.response.token, delivery.sender)
        case Kind.REMINDER:
            return reminder(delivery.response, delivery.response.token)
        case Kind.MEMBER_INVITATION:
            return member_invitation(delivery.invitation)
        case Kind.DUE_NOTICE:
            return due_notice(delivery.membership, delivery.due_on)
    raise ValueError(f"No e-mail for a delivery of kind {delivery.kind!r}")


def _unsubscribe_url(kind, obj):
    return settings.SITE_URL + reverse(
        "assessments:unsubscribe", args=[tokens.unsubscribe_token(kind, obj.pk)]
    )
