from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def send(template, recipient, context, language):
    """Render TEMPLATE-subject.txt / -body.txt / -body.html in LANGUAGE and send them."""
    with translation.override(language):
        subject = render_to_string(f"emails/{template}-subject.txt", context).strip()
        text = render_to_string(f"emails/{template}-body.txt", context)
        html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[recipient])
    message.attach_alternative(html, "text/html")
    message.send()


def send_private_link(request, response):
    url = settings.SITE_URL + response.get_absolute_url()
    send("private-link", response.email, {"response": response, "url": url}, response.language)


def send_round_invitation(response, inviter):
    url = settings.SITE_URL + response.get_absolute_url()
    context = {"response": response, "url": url, "inviter": inviter, "round": response.round}
    send("round-invitation", response.email, context, response.language)


def send_member_invitation(invitation, language):
    url = settings.SITE_URL + reverse("accept_invitation", args=[invitation.token])
    context = {"invitation": invitation, "url": url, "valid_days": invitation.VALID_FOR.days}
    send("member-invitation", invitation.email, context, language)


def send_reminder(response):
    url = settings.SITE_URL + response.get_absolute_url()
    context = {"response": response, "url": url, "round": response.round}
    send("reminder", response.email, context, response.language)


def send_due_notice(membership, due):
    organization = membership.organization
    url = settings.SITE_URL + reverse("assessments:round_new", args=[organization.pk])
    context = {"organization": organization, "due": due, "url": url}
    send("due-notice", membership.user.email, context, membership.language)
