"""Sign-up, and joining an organization through a member's invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import SignupForm
from ..models import MemberInvitation, Membership, Organization, Response, Round

CLAIM_FIELD = "response"
INVITATION_FIELD = "invitation"


def _claimable_response(token):
    """Return the anonymous, submitted response a private link points to, or None."""
    if not token:
        return None
    return (
        Response.objects.by_token(token)
        .filter(round__isnull=True, submitted_at__isnull=False)
        .select_related("questionnaire")
        .first()
    )


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account with a new organization, or join one through an invitation."""
    if request.user.is_authenticated:
        return redirect("assessments:organizations")
    data = request.POST or request.GET
    claimed = _claimable_response(data.get(CLAIM_FIELD))
    invitation = _usable_invitation(data.get(INVITATION_FIELD))
    initial = {}
    if claimed:
        initial = {"organization_name": claimed.organization_name, "role": claimed.role}
        initial["email"] = claimed.email
    if invitation:
        initial = {"email": invitation.email}
    form = SignupForm(request.POST or None, initial=initial, with_organization=not invitation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            if invitation:
                organization = _accept(invitation, user)
            else:
                organization = _create_organization(form.cleaned_data, user)
                if claimed:
                    _move_into_organization(claimed, organization)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome! You are a member of %(name)s.") % {"name": organization}
        )
        return redirect(organization)
    return render(
        request,
        "registration/signup.html",
        {
            "form": form,
            "claimed": claimed,
            "invitation": invitation,
            "claim_field": CLAIM_FIELD,
            "invitation_field": INVITATION_FIELD,
        },
    )


def _create_organization(data, user):
    organization = Organization.objects.create(
        name=data["organization_name"], industry=data["industry"], size=data["size"]
    )
    Membership.objects.create(
        organization=organization, user=user, role=data["role"], language=get_language()
    )
    return organization


def _move_into_organization(response, organization):
    """File an anonymous response as a closed round of the new organization."""
    round = Round.objects.create(
        organization=organization,
        questionnaire=response.questionnaire,
        opened_on=timezone.localdate(response.created_at),
        closed_at=response.submitted_at,
    )
    Response.objects.filter(pk=response.pk, round__isnull=True).update(
        round=round, organization_name=organization.name
    )
    round.refresh_result()


def _usable_invitation(token):
    if not token:
        return None
    invitation = MemberInvitation.objects.by_token(token).select_related("organization").first()
    return invitation if invitation and invitation.is_usable else None


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = get_object_or_404(
        MemberInvitation.objects.by_token(token).select_related("organization", "invited_by")
    )
    if not invitation.is_usable:
        return render(request, "registration/invitation_invalid.html", status=410)
    addressed_to_user = (
        request.user.is_authenticated and request.user.email.lower() == invitation.email.lower()
    )
    if request.method == "POST" and addressed_to_user:
        with transaction.atomic():
            organization = _accept(invitation, request.user)
        messages.success(request, _("You are now a member of %(name)s.") % {"name": organization})
        return redirect(organization)
    return render(
        request,
        "registration/invitation.html",
        {
            "invitation": invitation,
            "addressed_to_user": addressed_to_user,
            "invitation_field": INVITATION_FIELD,
        },
    )


def _accept(invitation, user):
    """Accept the invitation once: a replayed request adds nothing."""
    updated = MemberInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if updated:
        Membership.objects.get_or_create(
            organization=invitation.organization,
            user=user,
            defaults={"role": invitation.role, "language": get_language()},
        )
    return invitation.organization
