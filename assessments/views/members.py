"""Pages for members: their organizations, rounds, invitations and the team's view."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stages.models import Stage

from .. import exports, results, tasks, throttle
from ..forms import (
    BenchmarkConsentForm,
    DeleteOrganizationForm,
    Invitee,
    InviteMemberForm,
    InviteRespondentForm,
    KeepResultForm,
    MemberRoleForm,
    NewOrganizationForm,
    OrganizationForm,
    PlanItemEditForm,
    PlanItemForm,
    RoundForm,
    RoundLinkForm,
)
from ..models import (
    Answer,
    BenchmarkEntry,
    Delivery,
    MemberInvitation,
    Membership,
    Organization,
    PlanItem,
    Questionnaire,
    ReminderState,
    Response,
    Round,
    with_delivery,
)
from ..pages import (
    benchmark_context,
    evidence_summary,
    individual_answers,
    next_benchmark_run,
    progress_chart,
    round_result_context,
)
from ..visibility import Viewer


def _get_organization_for_member(request, pk):
    """Load an organization the user is a member of; anything else is a 404."""
    return get_object_or_404(Organization.objects.filter(memberships__user=request.user), pk=pk)


def _get_round_for_member(request, pk):
    """Load a round of one of the user's organizations; anything else is a 404."""
    queryset = Round.objects.for_member(request.user).select_related(
        "organization", "questionnaire"
    )
    return get_object_or_404(queryset, pk=pk)


# Someone keeping a result mostly has no account yet: sign-up first, with a way to log in.
@login_required(login_url="account_signup")
@require_http_methods(["GET", "POST"])
def keep_result(request, token):
    """File an anonymous result in one of the user's organizations (or a new one) as a round."""
    response = get_object_or_404(
        Response.objects.by_token(token)
        .filter(round=None, submitted_at__isnull=False)
        .select_related("questionnaire")
    )
    memberships = request.user.memberships.select_related("organization")
    organizations = [membership.organization for membership in memberships]
    form = KeepResultForm(
        request.POST or None,
        organizations=organizations,
        initial={"name": response.organization_name, "role": response.role},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organization = form.existing()
            if organization is None:
                organization = Organization.objects.create(
                    name=form.cleaned_data["name"], created_by=request.user
                )
                Membership.objects.create(
                    organization=organization,
                    user=request.user,
                    role=form.cleaned_data["role"],
                    language=get_language(),
                )
            round = response.file_as_round(organization)
            if round is None:  # kept by a simultaneous request
                transaction.set_rollback(True)
        if round is None:
            raise Http404
        messages.success(
            request,
            _("Your result is now a round of %(name)s, which its members can see.")
            % {"name": organization.name},
        )
        return redirect(round)
    return render(request, "assessments/keep_result.html", {"form": form, "response": response})


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
            organization = form.save(commit=False)
            organization.created_by = request.user
            organization.save()
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
@require_http_methods(["GET", "POST"])
def benchmark_settings(request, pk):
    """A member's choice to contribute to the peer benchmark, with what it shares."""
    organization = _get_organization_for_member(request, pk)
    # An unticked box posts nothing: the form is bound on any POST.
    form = BenchmarkConsentForm(
        request.POST if request.method == "POST" else None,
        initial={"opted_in": organization.benchmark_opt_in},
    )
    if request.method == "POST" and form.is_valid():
        opted_in = form.cleaned_data["opted_in"]
        if opted_in != organization.benchmark_opt_in:
            organization.set_benchmark_opt_in(opted_in, request.user)
        if opted_in:
            next_run = next_benchmark_run()
            messages.success(
                request,
                _(
                    "Your organization contributes to the peer benchmark. The benchmark is "
                    "computed once a day: your organization's first figures appear after the next "
                    "computation, on %(date)s at %(time)s, if it has a round that qualifies and "
                    "enough peers contribute."
                )
                % {
                    "date": date_format(next_run, "DATE_FORMAT"),
                    "time": date_format(next_run, "TIME_FORMAT"),
                },
            )
        else:
            messages.success(
                request, _("Your organization does not contribute to the peer benchmark.")
            )
        return redirect("assessments:benchmark", pk=organization.pk)
    context = {
        "organization": organization,
        "form": form,
        "minimum": settings.BENCHMARK_MIN_ORGANIZATIONS,
        "min_group": settings.ROUND_GROUP_MIN_RESPONDENTS,
        "next_run": next_benchmark_run(),
    }
    return render(request, "assessments/benchmark_settings.html", context)


@login_required
def benchmark(request, pk):
    """Where the organization stands among its peers, from the materialized benchmark."""
    organization = _get_organization_for_member(request, pk)
    context = {
        "organization": organization,
        "minimum": settings.BENCHMARK_MIN_ORGANIZATIONS,
        "min_group": settings.ROUND_GROUP_MIN_RESPONDENTS,
        "next_run": next_benchmark_run(),
    }
    entry = None
    if organization.benchmark_opt_in:
        entry = (
            BenchmarkEntry.objects.select_related("group", "gap_group", "round")
            .filter(organization=organization)
            .first()
        )
    if entry:
        context.update(benchmark_context(entry, list(Stage.objects.all())))
    return render(request, "assessments/benchmark.html", context)


@login_required
def organization_export(request, pk):
    """Everything the members may see of the organization, as one ZIP of CSV and XLSX."""
    organization = _get_organization_for_member(request, pk)
    response = HttpResponse(exports.organization_zip(organization), content_type="application/zip")
    filename = f"smarketing-organization-{organization.pk}-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def organization_delete(request, pk):
    """Delete the organization with its rounds, responses and plans, after its name is typed."""
    organization = _get_organization_for_member(request, pk)
    form = DeleteOrganizationForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        organization.delete()
        messages.success(
            request, _("%(name)s and all its data are deleted.") % {"name": organization.name}
        )
        return redirect("assessments:organizations")
    context = {"organization": organization, "form": form}
    return render(request, "assessments/organization_delete.html", context)


@login_required
def team(request, pk):
    """The team's overview: what needs doing now, the latest headline, progress, plan, history.

    The details of a round (gaps, indicators, comparison, each person's
    answers, invitees) are on its own page, linked from here.
    """
    organization = _get_organization_for_member(request, pk)
    rounds = [
        r.seen_by(Viewer.MEMBER)
        for r in organization.rounds.select_related("questionnaire", "workshop")
    ]
    published = [r for r in rounds if r.is_published]
    latest = published[0] if published else None
    context = {
        "organization": organization,
        "rounds": rounds,
        "progress_rounds": published,
        "latest": latest,
        "min_group": settings.ROUND_GROUP_MIN_RESPONDENTS,
    }
    if published:
        stages = list(Stage.objects.all())
        by_number = {stage.number: stage for stage in stages}
        context["latest_headline"] = results.headline(
            latest.reading, by_number, started=bool(latest.attainment.get("2"))
        )
        context["latest_next"] = by_number.get(latest.stage + 1)
        labels = results.flag_labels()
        context["latest_flags"] = [
            labels[code]
            for code in results.round_flags(
                latest.flags, latest.groups, latest.view(Viewer.MEMBER).groups
            )
        ]
        if len(published) > 1:
            context["previous"] = published[1]
            context["change"] = results.position_change(published[1].position, latest.position)
        context["chart_stages"] = stages
        context["progress_chart"] = progress_chart(published, stages)
        context["plan"] = list(
            latest.plan.select_related("step", "indicator", "owner_person").order_by(
                F("done_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk"
            )
        )
        context["evidence"] = evidence_summary(latest, stages)
    open_round = next((r for r in rounds if r.is_open), None)
    if open_round:
        context["open_round"] = open_round
        context["open_status"] = open_round.responses.aggregate(
            total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
        )
        total, submitted = context["open_status"]["total"], context["open_status"]["submitted"]
        context["open_status"]["rate"] = results.percent(submitted / total) if total else 0
        context["own_response"] = _own_response(request, open_round)
        context["reminders_due"] = open_round.responses.reminder_due(timezone.now()).count()
    return render(request, "assessments/team.html", context)


def _confirmed_addresses(user):
    return [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
    ]


def _own_response(request, round):
    """The user's response in ROUND, found by their confirmed addresses; unsubmitted first."""
    confirmed = _confirmed_addresses(request.user)
    return (
        round.responses.filter(email__in=confirmed)
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
        .first()
    )


@login_required
@require_POST
def round_answer(request, pk):
    """Take the user to their own response in an open round, with a fresh private link.

    A member who was not invited answers in the round all the same, with the
    role they hold in the organization: a response of that round is made for
    them, under their confirmed address, as an invitation would have.
    """
    round = _get_round_for_member(request, pk)
    if not round.is_open:
        messages.error(request, _("This round is closed; it accepts no more answers."))
        return redirect(round)
    response = _own_response(request, round) or _new_own_response(request, round)
    if response is None:
        messages.error(
            request, _("Confirm your e-mail address first: your answers are kept under it.")
        )
        return redirect(round)
    if response.is_submitted:
        messages.info(request, _("You have answered this round already."))
        return redirect(round)
    return redirect("assessments:resume", response.issue_link())


def _new_own_response(request, round):
    """A response of ROUND for the user, in their role; None without a confirmed address."""
    confirmed = _confirmed_addresses(request.user)
    if not confirmed:
        return None
    membership = round.organization.memberships.get(user=request.user)
    try:
        with transaction.atomic():
            return Response.objects.create(
                round=round,
                questionnaire=round.questionnaire,
                organization_name=round.organization.name,
                email=confirmed[0],
                name=request.user.get_full_name(),
                role=membership.role,
                language=get_language(),
            )
    except IntegrityError:  # invited at that moment, or a double click
        return round.responses.get(email=confirmed[0])


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, pk):
    organization = _get_organization_for_member(request, pk)
    form = InviteMemberForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        if not throttle.allowed(request, "invite"):
            return throttle.too_many(request)
        if throttle.may_mail(request, form):
            _invite_member(organization, request.user, **form.cleaned_data)
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect("assessments:members", organization.pk)
    memberships = list(organization.memberships.select_related("user"))
    return render(
        request,
        "assessments/members.html",
        {
            "organization": organization,
            "memberships": memberships,
            "role_forms": [(m, MemberRoleForm(initial={"role": m.role})) for m in memberships],
            "last_member": len(memberships) == 1,
            "invitations": with_delivery(
                organization.invitations.filter(accepted_at__isnull=True), "invitation"
            ),
            "form": form,
        },
    )


def _get_membership_for_member(request, pk, membership_pk):
    """Load a membership of an organization the user belongs to; anything else is a 404."""
    queryset = Membership.objects.filter(organization__memberships__user=request.user)
    return get_object_or_404(
        queryset.select_related("organization", "user"), pk=membership_pk, organization=pk
    )


def _get_invitation_for_member(request, pk, invitation_pk):
    """Load a pending invitation of one of the user's organizations; anything else is a 404."""
    queryset = MemberInvitation.objects.filter(
        organization__memberships__user=request.user, accepted_at__isnull=True
    )
    return get_object_or_404(
        queryset.select_related("organization"), pk=invitation_pk, organization=pk
    )


@login_required
@require_POST
def member_role(request, pk, membership_pk):
    membership = _get_membership_for_member(request, pk, membership_pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        membership.role = form.cleaned_data["role"]
        membership.save(update_fields=["role"])
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": membership.user.email, "role": membership.get_role_display()},
        )
    else:
        messages.error(request, _("Choose one of the roles listed."))
    return redirect("assessments:members", membership.organization_id)


def _remove_membership(membership):
    """Delete MEMBERSHIP unless it is the organization's last; return whether it was deleted."""
    with transaction.atomic():
        others = (
            Membership.objects.select_for_update()
            .filter(organization=membership.organization_id)
            .exclude(pk=membership.pk)
        )
        if not list(others.values_list("pk", flat=True)):
            return False
        membership.delete()
    return True


@login_required
@require_POST
def member_remove(request, pk, membership_pk):
    """Remove a member, never the last one: an organization nobody can reach is lost."""
    membership = _get_membership_for_member(request, pk, membership_pk)
    organization = membership.organization
    if not _remove_membership(membership):
        messages.error(request, _("The last member cannot be removed."))
        return redirect("assessments:members", organization.pk)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organization.name})
        return redirect("assessments:organizations")
    messages.success(
        request,
        _("%(email)s is no longer a member of %(name)s.")
        % {"email": membership.user.email, "name": organization.name},
    )
    return redirect("assessments:members", organization.pk)


@login_required
@require_POST
def organization_leave(request, pk):
    organization = _get_organization_for_member(request, pk)
    membership = organization.memberships.get(user=request.user)
    if not _remove_membership(membership):
        messages.error(
            request,
            _("You are the last member of %(name)s: invite someone else before you leave.")
            % {"name": organization.name},
        )
        return redirect("assessments:members", organization.pk)
    messages.success(request, _("You have left %(name)s.") % {"name": organization.name})
    return redirect("assessments:organizations")


@login_required
@require_POST
def invitation_resend(request, pk, invitation_pk):
    """Send the invitation again with a new link and a new validity; the old link stops."""
    invitation = _get_invitation_for_member(request, pk, invitation_pk)
    if not throttle.allowed(request, "invite"):
        return throttle.too_many(request)
    if not throttle.allowed(request, "mail", address=invitation.email):
        messages.error(request, throttle.MAIL_LIMITED)
        return redirect("assessments:members", invitation.organization_id)
    invitation = _invite_member(
        invitation.organization,
        request.user,
        invitation.email,
        invitation.role,
        invitation.language,
        invitation.message,
    )
    messages.success(
        request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
    )
    return redirect("assessments:members", invitation.organization_id)


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    invitation = _get_invitation_for_member(request, pk, invitation_pk)
    invitation.delete()
    messages.success(
        request,
        _("The invitation to %(email)s is withdrawn; its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("assessments:members", invitation.organization_id)


def _may_invite(request, addresses):
    """Count invitations to ADDRESSES; False, counting none, if any would go over a limit."""
    for dry_run in (True, False):
        for address in addresses:
            if not (
                throttle.allowed(request, "invite", dry_run=dry_run)
                and throttle.allowed(request, "mail", address=address, dry_run=dry_run)
            ):
                return False
    return True


def _invite_member(organization, inviter, email, role, language, message):
    """Invite EMAIL and queue the e-mail; an earlier invitation to the address is renewed."""
    with transaction.atomic():
        invitation = (
            organization.invitations.select_for_update()
            .filter(email__iexact=email, accepted_at=None)
            .first()
        ) or MemberInvitation(organization=organization, email=email)
        invitation.role, invitation.invited_by = role, inviter
        invitation.language, invitation.message = language, message
        invitation.created_at = timezone.now()
        invitation.new_token()
        invitation.save()
        tasks.send_later([Delivery(kind=Delivery.Kind.MEMBER_INVITATION, invitation=invitation)])
    return invitation


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request, pk):
    """Open a round on the active questionnaire, inviting the members and the last round's people.

    The form says, per side, what each choice will show to whom before the
    round opens; "preview" re-reads it for the people ticked without opening.
    """
    organization = _get_organization_for_member(request, pk)
    Round.objects.close_lapsed(organization)
    open_round = organization.rounds.filter(closed_at__isnull=True).first()
    if open_round:
        # One open round at a time: the member closes it first, on its confirmation page.
        context = {"organization": organization, "open_round": open_round}
        return render(request, "assessments/round_open_already.html", context)
    members = _member_invitees(organization, request.user)
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        members=members,
        previous=_previous_invitees(organization, members),
        consultants=organization.consultants.exists(),
    )
    questionnaire = Questionnaire.objects.active()
    opening = request.method == "POST" and "preview" not in request.POST
    if opening and form.is_valid() and questionnaire:
        people = form.invitees()
        mailed = [person for person in people if not person.is_you]
        if not _may_invite(request, [person.email for person in mailed]):
            return throttle.too_many(request)
        try:
            round, own = _open_round(request, organization, form, questionnaire, people)
        except IntegrityError:  # another member opened one at the same moment
            messages.error(request, _("Another round was opened meanwhile."))
            return redirect(organization)
        if own:
            messages.success(request, _("The round is open. Answer it now, or invite more people."))
        else:
            messages.success(request, _("The round is open. Invite the leaders who should answer."))
        return redirect(round)
    context = {
        "organization": organization,
        "form": form,
        "questionnaire": questionnaire,
        "preview": form.preview(),
    }
    return render(request, "assessments/round_form.html", context)


def _member_invitees(organization, user):
    """The members as people to invite, the user first, each by their confirmed address."""
    memberships = sorted(
        organization.memberships.select_related("user"),
        key=lambda m: (m.user_id != user.pk, m.pk),
    )
    addresses = {}
    confirmed = EmailAddress.objects.filter(
        user__in=[m.user_id for m in memberships], verified=True
    ).order_by("-primary", "pk")
    for address in confirmed:
        addresses.setdefault(address.user_id, address.email.lower())
    people = []
    for membership in memberships:
        email = addresses.get(membership.user_id) or membership.user.email.lower()
        if email:
            people.append(
                Invitee(
                    key=f"member-{membership.pk}",
                    email=email,
                    name=membership.user.get_full_name(),
                    role=membership.role,
                    language=membership.language,
                    is_you=membership.user_id == user.pk,
                )
            )
    return people


def _previous_invitees(organization, members):
    """The last round's people who are not members, to invite again."""
    last = organization.rounds.first()
    if last is None:
        return []
    taken = {person.email for person in members}
    people = []
    for response in last.responses.exclude(email="").order_by("created_at", "pk"):
        email = response.email.lower()
        if email not in taken:
            taken.add(email)
            people.append(Invitee(email, email, response.name, response.role, response.language))
    return people


def _open_round(request, organization, form, questionnaire, people):
    """Create the round and its invitees' responses, and queue their invitations.

    Return the round and the user's own response (None when they did not tick
    themselves): that one is answered here and now, so it is never mailed.
    """
    with transaction.atomic():
        round = form.save(commit=False)
        round.organization = organization
        round.questionnaire = questionnaire
        round.created_by = request.user
        round.consultant_access = organization.consultants.exists()
        round.save()
        invited, own = [], None
        for person in people:
            response = Response.objects.create(
                round=round,
                questionnaire=questionnaire,
                organization_name=organization.name,
                # The member opening it answers here and now: no e-mail, no reminders.
                invited_at=None if person.is_you else timezone.now(),
                email=person.email,
                name=person.name,
                role=person.role,
                language=person.language,
            )
            if person.is_you:
                own = response
            else:
                invited.append(response)
        tasks.send_later(_invitations(invited, request.user))
    return round, own


def _invitations(responses, inviter):
    return [
        Delivery(kind=Delivery.Kind.ROUND_INVITATION, response=response, sender=inviter)
        for response in responses
    ]


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
    if form.is_valid() and not throttle.allowed(request, "invite"):
        return throttle.too_many(request)
    if not form.is_valid() or not throttle.may_mail(request, form):
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
            tasks.send_later(_invitations([response], request.user))
    except IntegrityError:  # the same address, invited twice at once
        messages.error(request, _("This person is already invited to this round."))
        return redirect(round)
    messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
    return redirect(round)


@login_required
@require_POST
def round_link_limit(request, pk):
    """Set how many people may start through the round's shared link in an hour."""
    round = _get_round_for_member(request, pk)
    form = RoundLinkForm(request.POST, instance=round)
    if not form.is_valid():
        # The form holds the refused number; the page shows the stored one.
        stored = _get_round_for_member(request, pk)
        return _round_page(request, stored, InviteRespondentForm(round=stored), 400, link_form=form)
    # Only this column: the worker may be storing the round's result meanwhile.
    form.save(commit=False).save(update_fields=["starts_per_hour"])
    count = round.starts_per_hour
    messages.success(
        request,
        ngettext(
            "The shared link now takes up to %(count)s start per hour.",
            "The shared link now takes up to %(count)s starts per hour.",
            count,
        )
        % {"count": count},
    )
    return redirect(round)


def _round_page(request, round, invite_form, status=200, plan_form=None, link_form=None):
    round = round.seen_by(Viewer.MEMBER)
    context = {
        "round": round,
        "organization": round.organization,
        "min_group": settings.ROUND_GROUP_MIN_RESPONDENTS,
        "status": _response_status(round, request.GET.get("respondents")),
        "invite_form": invite_form,
        "share_url": request.build_absolute_uri(round.get_share_url()),
        "link_form": link_form or RoundLinkForm(instance=round),
        "plan": list(round.plan.select_related("step__stage", "indicator", "owner_person")),
        "reopen_refusal": None if round.is_open else round.reopen_refusal(),
        "own_response": _own_response(request, round) if round.is_open else None,
    }
    stages = None
    if round.is_published:
        stages = list(Stage.objects.with_content())
        previous = Round.objects.published().before(round).first()
        context.update(round_result_context(round, stages, previous))
        if round.shown_view.individuals:
            context["individuals"] = individual_answers(round)
        following = Round.objects.published().after(round).first()
        if following:
            following = following.seen_by(Viewer.MEMBER)
            context["following"] = following
            context["own_plan_checks"] = results.check_plan(
                context["plan"],
                round,
                following,
                stages,
                results.disputed(following.groups, following.shown_view.groups),
            )
        context["plan_form"] = plan_form or _plan_form(round, context["summary"])
    context["evidence"] = evidence_summary(round, stages)
    return render(request, "assessments/round.html", context, status=status)


def _plan_form(round, summary, data=None):
    weakest = [
        row.indicator for row in results.weakest(summary.indicator_groups, round.stage + 1, 5)
    ]
    steps = list(summary.stage.next_steps.all())
    members = _members_of(round.organization)
    return PlanItemForm(data, steps=steps, indicators=weakest, members=members)


def _members_of(organization):
    return get_user_model().objects.filter(memberships__organization=organization).order_by("email")


def _get_plan_item_for_member(request, pk, item_pk):
    """Load a plan item of a round of one of the user's organizations; anything else is a 404."""
    queryset = PlanItem.objects.filter(round__organization__memberships__user=request.user)
    return get_object_or_404(
        queryset.select_related("round__organization", "step", "indicator"), pk=item_pk, round=pk
    )


@login_required
@require_POST
def plan_add(request, pk):
    round = _get_round_for_member(request, pk)
    if not round.is_published:
        raise Http404
    stages = list(Stage.objects.with_content())
    summary = results.summarize(round.seen_by(Viewer.MEMBER), stages)
    form = _plan_form(round, summary, request.POST)
    if not form.is_valid():
        return _round_page(request, round, InviteRespondentForm(round=round), 400, plan_form=form)
    try:
        with transaction.atomic():
            PlanItem.objects.create(
                round=round, created_by=request.user, **form.item_fields(), **form.target()
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
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk, item_pk):
    item = _get_plan_item_for_member(request, pk, item_pk)
    initial = {name: getattr(item, name) for name in PlanItemEditForm.base_fields}
    form = PlanItemEditForm(
        request.POST or None, initial=initial, members=_members_of(item.round.organization)
    )
    if request.method == "POST" and form.is_valid():
        for name, value in form.item_fields().items():
            setattr(item, name, value)
        item.save(update_fields=list(form.item_fields()))
        messages.success(request, _("The plan item is saved."))
        return redirect(item.round.organization)
    return render(request, "assessments/plan_edit.html", {"form": form, "item": item})


@login_required
@require_POST
def plan_done(request, pk, item_pk):
    """Mark a plan item done, or open again with done=0."""
    item = _get_plan_item_for_member(request, pk, item_pk)
    done = request.POST.get("done") != "0"
    item.done_at = (item.done_at or timezone.now()) if done else None
    item.save(update_fields=["done_at"])
    if done:
        messages.success(request, _("Marked done: %(item)s") % {"item": item.text})
    else:
        messages.info(request, _("Open again: %(item)s") % {"item": item.text})
    return redirect(item.round.organization)


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request, pk):
    """Ask for confirmation, naming who has not answered; close on POST."""
    round = _get_round_for_member(request, pk)
    if round.closed_at is not None:
        messages.info(request, _("This round is closed already."))
        return redirect(round)
    then_new = request.POST.get("then") == "new" or request.GET.get("then") == "new"
    if request.method == "POST":
        if round.close():
            messages.success(request, _("The round is closed. It accepts no more answers."))
        if then_new:
            return redirect("assessments:round_new", round.organization_id)
        return redirect(round)
    not_answered = round.responses.filter(submitted_at__isnull=True).annotate(
        started=Exists(Answer.objects.filter(response=OuterRef("pk")))
    )
    context = {
        "round": round,
        "organization": round.organization,
        "status": _response_status(round),
        "not_answered": list(not_answered.order_by("created_at", "pk")[:RESPONDENTS_PER_PAGE]),
        "not_answered_count": not_answered.count(),
        "then_new": then_new,
        "min_group": settings.ROUND_GROUP_MIN_RESPONDENTS,
    }
    return render(request, "assessments/round_close.html", context)


@login_required
@require_POST
def round_reopen(request, pk):
    """Reopen a closed round while it is the latest, unless that could expose anyone."""
    round = _get_round_for_member(request, pk)
    refusal = round.reopen_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(round)
    Round.objects.close_lapsed(round.organization)
    try:
        with transaction.atomic():
            round.reopen()
    except IntegrityError:  # another round is open
        messages.error(request, _("Another round is open; close it first."))
        return redirect(round)
    messages.success(request, _("The round is open again and accepts answers."))
    return redirect(round)


def _get_invitee_for_member(request, pk, response_pk):
    """Load a response of a round of the user's organizations; anything else is a 404."""
    queryset = Response.objects.filter(round__organization__memberships__user=request.user)
    return get_object_or_404(
        queryset.select_related("round__organization"), pk=response_pk, round=pk
    )


@login_required
@require_POST
def response_remind(request, pk, response_pk):
    """Remind one invitee now, within the daily command's limits and the per-address limit."""
    response = _get_invitee_for_member(request, pk, response_pk)
    now = timezone.now()
    refusal = _reminder_refusal(response, now)
    if refusal:
        messages.error(request, refusal)
    elif not throttle.allowed(request, "mail", address=response.email):
        messages.error(request, throttle.MAIL_LIMITED)
    else:
        with transaction.atomic():
            claimed = response.claim_reminder(now)
            if claimed:
                tasks.send_later([Delivery(kind=Delivery.Kind.REMINDER, response=response)])
        if claimed:
            messages.success(request, _("Reminder sent to %(email)s.") % {"email": response.email})
    return redirect(response.round)


@login_required
@require_POST
def response_resend(request, pk, response_pk):
    """Send an invitee's invitation again, with a new link, after it was not delivered."""
    response = _get_invitee_for_member(request, pk, response_pk)
    if not (response.email and not response.is_submitted and response.round.is_open):
        messages.error(request, _("Only invitees of an open round who have not answered get one."))
    elif not throttle.allowed(request, "mail", address=response.email):
        messages.error(request, throttle.MAIL_LIMITED)
    else:
        with transaction.atomic():
            tasks.send_later(_invitations([response], request.user))
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": response.email}
        )
    return redirect(response.round)


def _reminder_refusal(response, now):
    """Why RESPONSE gets no reminder now (Response.reminder_state), or None."""
    state = response.reminder_state(now)
    if state.allowed:
        return None
    if state.reason == ReminderState.STOPPED:
        return _("%(email)s asked for no more reminders.") % {"email": response.email}
    if state.reason == ReminderState.ALL_SENT:
        return ngettext(
            "%(email)s has had %(count)s reminder, the most anyone gets.",
            "%(email)s has had %(count)s reminders, the most anyone gets.",
            response.reminders_sent,
        ) % {"email": response.email, "count": response.reminders_sent}
    if state.reason == ReminderState.TOO_SOON:
        return _(
            "%(email)s heard from the team recently; the next reminder can go on %(date)s."
        ) % {
            "email": response.email,
            "date": date_format(timezone.localtime(state.next_at), "DATETIME_FORMAT"),
        }
    return _("Only people invited by e-mail who have not submitted an open round are reminded.")


RESPONDENTS_PER_PAGE = 50


def _response_status(round, page_number=None):
    """Return a page of the round's responses with `started`, the counts and the response rate.

    Counted in the database and listed a page at a time, so a round of a
    thousand respondents costs what a round of ten does.
    """
    counts = round.responses.aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
    )
    # A response nobody was invited to under a member's confirmed address is that
    # member's own ("Answer now", or the opener answering at once), not a shared link's.
    members_address = EmailAddress.objects.filter(
        verified=True,
        user__memberships__organization=round.organization_id,
        email__iexact=OuterRef("email"),
    )
    responses = with_delivery(round.responses, "response").annotate(
        started=Exists(Answer.objects.filter(response=OuterRef("pk"))),
        by_member=Exists(members_address),
    )
    responses = responses.order_by("created_at", "pk")
    page = Paginator(responses, RESPONDENTS_PER_PAGE).get_page(page_number)
    total, submitted = counts["total"], counts["submitted"]
    now = timezone.now()
    listed = list(page.object_list)
    for response in listed:
        # "Remind now" shows only when the view would send it, else when it could.
        response.reminder = response.reminder_state(now)
    return {
        "responses": listed,
        "page": page,
        "total": total,
        "submitted": submitted,
        "rate": results.percent(submitted / total) if total else 0,
    }
