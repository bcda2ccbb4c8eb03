"""Pages for members: their organizations, rounds, invitations and the team's view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stages.models import Stage

from .. import emails, results
from ..forms import (
    InviteMemberForm,
    InviteRespondentForm,
    NewOrganizationForm,
    OrganizationForm,
    PlanItemForm,
    RoundForm,
)
from ..models import (
    Answer,
    MemberInvitation,
    Membership,
    Organization,
    PlanItem,
    Questionnaire,
    Response,
    Round,
)
from ..pages import progress_chart, round_result_context


def _get_organization_for_member(request, pk):
    """Load an organization the user is a member of; anything else is a 404."""
    return get_object_or_404(Organization.objects.filter(memberships__user=request.user), pk=pk)


def _get_round_for_member(request, pk):
    """Load a round of one of the user's organizations; anything else is a 404."""
    queryset = Round.objects.for_member(request.user).select_related(
        "organization", "questionnaire"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def organizations(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    return render(request, "assessments/organizations.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request):
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organization = form.save()
            Membership.objects.create(
                organization=organization,
                user=request.user,
                role=form.cleaned_data["role"],
                language=get_language(),
            )
        return redirect(organization)
    return render(request, "assessments/organization_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organization_settings(request, pk):
    organization = _get_organization_for_member(request, pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(organization)
    context = {"form": form, "organization": organization}
    return render(request, "assessments/organization_form.html", context)


@login_required
def team(request, pk):
    organization = _get_organization_for_member(request, pk)
    rounds = list(organization.rounds.select_related("questionnaire"))
    scored = [r for r in rounds if r.respondents]
    context = {
        "organization": organization,
        "rounds": rounds,
        "latest": scored[0] if scored else None,
    }
    if scored:
        stages = list(Stage.objects.with_content())
        previous = scored[1] if len(scored) > 1 else None
        context.update(round_result_context(scored[0], stages, previous))
        context["progress_chart"] = progress_chart(scored, stages)
    open_round = next((r for r in rounds if r.is_open), None)
    if open_round:
        context["open_round"] = open_round
        context["open_status"] = _response_status(open_round)
    return render(request, "assessments/team.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, pk):
    organization = _get_organization_for_member(request, pk)
    form = InviteMemberForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        invitation = MemberInvitation.objects.create(
            organization=organization, invited_by=request.user, **form.cleaned_data
        )
        emails.send_member_invitation(invitation, language=get_language())
        messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
        return redirect("assessments:members", organization.pk)
    return render(
        request,
        "assessments/members.html",
        {
            "organization": organization,
            "memberships": organization.memberships.select_related("user"),
            "invitations": organization.invitations.filter(accepted_at__isnull=True),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request, pk):
    """Open a round on the active questionnaire, offering to invite the last round's people."""
    organization = _get_organization_for_member(request, pk)
    last = organization.rounds.first()
    previous = last.responses.exclude(email="").order_by("created_at") if last else ()
    form = RoundForm(request.POST if request.method == "POST" else None, previous=previous)
    questionnaire = Questionnaire.objects.active()
    if request.method == "POST" and form.is_valid() and questionnaire:
        with transaction.atomic():
            round = form.save(commit=False)
            round.organization = organization
            round.questionnaire = questionnaire
            round.created_by = request.user
            round.save()
            invited = [
                Response.objects.create(
                    round=round,
                    questionnaire=questionnaire,
                    organization_name=organization.name,
                    invited_at=timezone.now(),
                    email=person.email,
                    name=person.name,
                    role=person.role,
                    language=person.language,
                )
                for person in form.people_to_reinvite()
            ]
        for response in invited:
            emails.send_round_invitation(response, inviter=request.user)
        messages.success(request, _("The round is open. Invite the leaders who should answer."))
        return redirect(round)
    return render(
        request,
        "assessments/round_form.html",
        {"organization": organization, "form": form, "questionnaire": questionnaire},
    )


@login_required
def round_detail(request, pk):
    round = _get_round_for_member(request, pk)
    return _round_page(request, round, InviteRespondentForm(round=round))


@login_required
@require_POST
def round_invite(request, pk):
    round = _get_round_for_member(request, pk)
    if not round.is_open:
        messages.error(request, _("This round is closed; nobody can be invited any more."))
        return redirect(round)
    form = InviteRespondentForm(request.POST, round=round)
    if not form.is_valid():
        return _round_page(request, round, form, status=400)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                round=round,
                questionnaire=round.questionnaire,
                organization_name=round.organization.name,
                invited_at=timezone.now(),
                **form.cleaned_data,
            )
    except IntegrityError:  # the same address, invited twice at once
        messages.error(request, _("This person is already invited to this round."))
        return redirect(round)
    emails.send_round_invitation(response, inviter=request.user)
    messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
    return redirect(round)


def _round_page(request, round, invite_form, status=200, plan_form=None):
    context = {
        "round": round,
        "organization": round.organization,
        "status": _response_status(round),
        "invite_form": invite_form,
        "share_url": request.build_absolute_uri(round.get_share_url()),
        "plan": list(round.plan.select_related("step__stage", "indicator")),
    }
    if round.respondents:
        stages = list(Stage.objects.with_content())
        previous = Round.objects.scored().before(round).first()
        context.update(round_result_context(round, stages, previous))
        following = Round.objects.scored().after(round).first()
        if following:
            context["following"] = following
            context["own_plan_checks"] = results.check_plan(
                context["plan"], round, following, stages
            )
        context["plan_form"] = plan_form or _plan_form(round, context["summary"])
    return render(request, "assessments/round.html", context, status=status)


def _plan_form(round, summary, data=None):
    weakest = [
        row.indicator for row in results.weakest(summary.indicator_groups, round.stage + 1, 5)
    ]
    steps = list(summary.stage.next_steps.all())
    return PlanItemForm(data, steps=steps, indicators=weakest)


@login_required
@require_POST
def plan_add(request, pk):
    round = _get_round_for_member(request, pk)
    if not round.respondents:
        raise Http404
    stages = list(Stage.objects.with_content())
    summary = results.summarize(round, stages)
    form = _plan_form(round, summary, request.POST)
    if not form.is_valid():
        return _round_page(request, round, InviteRespondentForm(round=round), 400, plan_form=form)
    try:
        with transaction.atomic():
            PlanItem.objects.create(
                round=round,
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
                created_by=request.user,
                **form.target(),
            )
    except IntegrityError:
        messages.info(request, _("This item is already in the plan."))
    else:
        messages.success(
            request, _("Added to the plan. The next round will show whether it moved.")
        )
    return redirect(round)


@login_required
@require_POST
def plan_remove(request, pk, item_pk):
    round = _get_round_for_member(request, pk)
    round.plan.filter(pk=item_pk).delete()
    return redirect(round)


@login_required
@require_POST
def round_close(request, pk):
    round = _get_round_for_member(request, pk)
    if round.closed_at is None:
        Round.objects.filter(pk=round.pk, closed_at__isnull=True).update(closed_at=timezone.now())
        messages.success(request, _("The round is closed. It accepts no more answers."))
    return redirect("assessments:round", round.pk)


def _response_status(round):
    """Return the round's responses with `started`, and the response rate."""
    responses = list(
        round.responses.annotate(
            started=Exists(Answer.objects.filter(response=OuterRef("pk")))
        ).order_by("created_at")
    )
    submitted = sum(r.is_submitted for r in responses)
    return {
        "responses": responses,
        "submitted": submitted,
        "rate": results.percent(submitted / len(responses)) if responses else 0,
    }
