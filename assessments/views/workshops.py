"""The alignment workshop of a round: agenda, presenter, followers, decisions, summary.

Open to the members of the round's organization and to its assigned
consultants, through one access helper (_get_round_for_workshop); anyone else
gets a 404. What each of them sees follows the round's privacy model
(workshops.sight_for).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stages.models import Stage

from .. import results, workshops
from ..forms import WorkshopDecisionForm, WorkshopGoForm, WorkshopItemForm
from ..models import Organization, PlanItem, Round, Workshop, WorkshopItem


def _get_round_for_workshop(request, pk):
    """Load a round for its workshop: members and assigned consultants only, else a 404.

    Return the round and whether the user is a member (else an assigned consultant).
    """
    user = request.user
    consultant_of = Organization.objects.filter(consultants=user)
    if not (user.is_staff and user.has_perm("assessments.view_dashboard")):
        consultant_of = consultant_of.none()
    organizations = Organization.objects.filter(
        Q(memberships__user=user) | Q(pk__in=consultant_of)
    ).values("pk")
    round = get_object_or_404(
        Round.objects.filter(organization__in=organizations).select_related(
            "organization", "questionnaire", "workshop"
        ),
        pk=pk,
    )
    is_member = round.organization.memberships.filter(user=user).exists()
    return round, is_member


def _get_workshop(request, pk):
    """The round's workshop, once its figures may be shown to this user; else a 404."""
    round, is_member = _get_round_for_workshop(request, pk)
    workshop = getattr(round, "workshop", None)
    if workshop is None or not workshops.may_open(round, is_member):
        raise Http404
    return round, workshop, workshops.sight_for(round, is_member)


def _get_item(workshop, item_pk):
    return get_object_or_404(
        workshop.items.select_related("question__indicator__stage", "option", "plan_item"),
        pk=item_pk,
    )


def _members_of(organization):
    return get_user_model().objects.filter(memberships__organization=organization).order_by("email")


@login_required
@require_GET
def workshop(request, pk):
    """The agenda: ranked items, suggested minutes, and the facilitator's changes."""
    round, is_member = _get_round_for_workshop(request, pk)
    workshop = getattr(round, "workshop", None)
    allowed = workshops.may_open(round, is_member)
    context = {"round": round, "organization": round.organization, "allowed": allowed}
    if workshop is not None and allowed:
        items = workshops.agenda_items(workshop)
        sight = workshops.sight_for(round, is_member)
        context.update(
            workshop=workshop,
            items=items,
            total_minutes=workshops.minutes_total(items),
            shows_disagreement=sight.gap or sight.individuals,
            add_form=WorkshopItemForm(),
        )
    return render(request, "assessments/workshop.html", context)


@login_required
@require_POST
def workshop_open(request, pk):
    round, is_member = _get_round_for_workshop(request, pk)
    if not workshops.may_open(round, is_member):
        messages.error(
            request,
            _(
                "The workshop opens once the round's figures are published: "
                "for a confidential round, when it closes with enough answers."
            ),
        )
        return redirect("assessments:workshop", pk=round.pk)
    opened, created = workshops.open_workshop(round, request.user)
    if created:
        messages.success(request, _("The workshop is open, with its agenda ranked."))
    return redirect("assessments:workshop", pk=round.pk)


@login_required
@require_POST
def workshop_agenda_item(request, pk, item_pk):
    """Move an item up or down, skip it or bring it back."""
    round, workshop, _sight = _get_workshop(request, pk)
    item = _get_item(workshop, item_pk)
    action = request.POST.get("action")
    with transaction.atomic():
        if action in ("up", "down"):
            workshops.move(workshop, item, -1 if action == "up" else 1)
        elif action in ("skip", "restore"):
            WorkshopItem.objects.filter(pk=item.pk).update(skipped=action == "skip")
        else:
            messages.error(request, _("Choose what to do with the item."))
            return redirect("assessments:workshop", pk=round.pk)
    return redirect(reverse("assessments:workshop", args=[round.pk]) + f"#item-{item.pk}")


@login_required
@require_POST
def workshop_add_item(request, pk):
    round, workshop, _sight = _get_workshop(request, pk)
    form = WorkshopItemForm(request.POST)
    if not form.is_valid():
        items = workshops.agenda_items(workshop)
        context = {
            "round": round,
            "organization": round.organization,
            "allowed": True,
            "workshop": workshop,
            "items": items,
            "total_minutes": workshops.minutes_total(items),
            "add_form": form,
        }
        return render(request, "assessments/workshop.html", context, status=400)
    with transaction.atomic():
        last = workshop.items.select_for_update().order_by("-position").first()
        WorkshopItem.objects.create(
            workshop=workshop,
            title=form.cleaned_data["title"],
            minutes=form.cleaned_data["minutes"],
            position=(last.position if last else 0) + 1,
        )
    messages.success(request, _("The topic is added at the end of the agenda."))
    return redirect("assessments:workshop", pk=round.pk)


def _current(workshop, shown):
    """The index of the current item among SHOWN, the first when it is not among them."""
    for index, item in enumerate(shown):
        if item.pk == workshop.current_item_id:
            return index
    return 0


def _item_page(request, round, workshop, sight, template):
    items = workshops.agenda_items(workshop)
    shown = workshops.shown_items(items)
    index = _current(workshop, shown)
    item = shown[index] if shown else None
    context = {
        "round": round,
        "organization": round.organization,
        "workshop": workshop,
        "shown": shown,
        "item": item,
        "index": index,
        "number": index + 1,
        "count": len(shown),
        "figures": workshops.item_figures(round, item, sight) if item else None,
        "timer": {
            "elapsed": workshops.elapsed_seconds(workshop),
            "minutes": item.minutes if item else 0,
            "item": item.pk if item else None,
            "state_url": reverse("assessments:workshop_state", args=[round.pk]),
        },
        "started_at": workshop.timer_started_at,
    }
    return render(request, template, context)


@login_required
@require_GET
def workshop_present(request, pk):
    """The projector's view: one item in large type, keyboard navigation and a timer."""
    round, workshop, sight = _get_workshop(request, pk)
    return _item_page(request, round, workshop, sight, "assessments/workshop_present.html")


@login_required
@require_GET
def workshop_follow(request, pk):
    """A participant's own screen: the item the presenter shows, refreshed while it changes."""
    round, workshop, sight = _get_workshop(request, pk)
    return _item_page(request, round, workshop, sight, "assessments/workshop_follow.html")


@login_required
@require_POST
def workshop_go(request, pk):
    """Show the next, the previous or a numbered item, and restart the timer."""
    round, workshop, _sight = _get_workshop(request, pk)
    form = WorkshopGoForm(request.POST)
    shown = workshops.shown_items(workshops.agenda_items(workshop))
    target = form.target(len(shown), _current(workshop, shown)) if form.is_valid() else None
    if target is None:
        messages.error(
            request,
            _("There is no item %(number)s: choose one from 1 to %(count)s.")
            % {"number": request.POST.get("to", ""), "count": len(shown)},
        )
    elif shown[target].pk != workshop.current_item_id:
        Workshop.objects.filter(pk=workshop.pk).update(
            current_item=shown[target], timer_started_at=timezone.now()
        )
    return redirect("assessments:workshop_present", pk=round.pk)


@login_required
@require_GET
def workshop_state(request, pk):
    """What followers poll: the current item and when its timer started. No figures."""
    round, workshop, _sight = _get_workshop(request, pk)
    return JsonResponse(
        {
            "item": workshop.current_item_id,
            "status": workshop.status,
            "timer_started_at": (
                workshop.timer_started_at.isoformat() if workshop.timer_started_at else None
            ),
            "elapsed": workshops.elapsed_seconds(workshop),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_item(request, pk, item_pk):
    """Record an item's consensus, note and action; a stale save is refused, never merged."""
    round, workshop, sight = _get_workshop(request, pk)
    item = _get_item(workshop, item_pk)
    members = _members_of(round.organization)
    initial = {
        "consensus": _consensus_choice(item),
        "note": item.note,
        "version": item.version,
    }
    if item.plan_item_id:
        plan = item.plan_item
        initial.update(
            add_action=True,
            owner=plan.owner,
            owner_person=plan.owner_person_id,
            due_on=plan.due_on,
            action=plan.note,
        )
    form = WorkshopDecisionForm(request.POST or None, item=item, members=members, initial=initial)
    status = 200
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            if _save_decision(request, round, workshop, item, form):
                messages.success(request, _("The decision is saved."))
                return redirect(_after_save(request, round, workshop, item))
            item.refresh_from_db()
            if _same_decision(item, form.decision(), form.plan_fields()):  # a double submit
                messages.success(request, _("The decision is saved."))
                return redirect(_after_save(request, round, workshop, item))
            conflict = item
            # Saving again means overwriting what the other facilitator saved, knowingly.
            data = request.POST.copy()
            data["version"] = str(item.version)
            form = WorkshopDecisionForm(data, item=item, members=members)
            form.is_valid()
            status = 409
        else:
            status = 400
    context = {
        "round": round,
        "organization": round.organization,
        "workshop": workshop,
        "item": item,
        "form": form,
        "conflict": conflict,
        "figures": workshops.item_figures(round, item, sight),
    }
    return render(request, "assessments/workshop_item.html", context, status=status)


def _same_decision(item, decision, plan_fields):
    """Whether a stale form asks for exactly what is saved, its action included."""
    same = (item.option_id, item.dont_know, item.note) == (
        decision["option"].pk if decision["option"] else None,
        decision["dont_know"],
        decision["note"],
    )
    if not same or plan_fields is None:
        return same
    plan = item.plan_item
    if plan is None:
        return False
    return (plan.owner, plan.owner_person_id, plan.due_on, plan.note) == (
        plan_fields["owner"],
        plan_fields["owner_person"].pk if plan_fields["owner_person"] else None,
        plan_fields["due_on"],
        plan_fields["note"],
    )


def _consensus_choice(item):
    if item.option_id:
        return str(item.option_id)
    return "dont-know" if item.dont_know else ""


def _after_save(request, round, workshop, item):
    if request.POST.get("next") == "present":
        return reverse("assessments:workshop_present", args=[round.pk])
    following = (
        workshop.items.filter(skipped=False, position__gt=item.position)
        .order_by("position", "pk")
        .first()
    )
    if request.POST.get("next") == "item" and following:
        return reverse("assessments:workshop_item", args=[round.pk, following.pk])
    return reverse("assessments:workshop", args=[round.pk]) + f"#item-{item.pk}"


def _save_decision(request, round, workshop, item, form):
    """Store the decision if ITEM is still at the version the form was filled from."""
    decision = form.decision()
    with transaction.atomic():
        saved = WorkshopItem.objects.filter(
            pk=item.pk, version=form.cleaned_data["version"]
        ).update(
            **decision,
            decided_at=timezone.now() if decision["option"] or decision["dont_know"] else None,
            decided_by=request.user,
            version=F("version") + 1,
        )
        if not saved:
            return False
        plan_fields = form.plan_fields()
        if plan_fields is not None:
            plan_item = _plan_item(round, item, request.user, plan_fields)
            WorkshopItem.objects.filter(pk=item.pk).update(plan_item=plan_item)
        Workshop.objects.select_for_update().get(pk=workshop.pk).refresh_result()
    return True


def _plan_item(round, item, user, fields):
    """The plan item on ITEM's indicator, created or brought up to date with FIELDS."""
    indicator = item.question.indicator
    plan_item = (
        PlanItem.objects.select_for_update().filter(round=round, indicator=indicator).first()
    )
    if plan_item is None:
        return PlanItem.objects.create(round=round, indicator=indicator, created_by=user, **fields)
    for name, value in fields.items():
        setattr(plan_item, name, value)
    plan_item.save(update_fields=list(fields))
    return plan_item


@login_required
@require_POST
def workshop_finish(request, pk):
    """Finish the workshop, or continue it: its consensus shows beside the mean once finished.

    The form names the state it asks for, so a resent or double-clicked form
    leaves the workshop as asked instead of toggling it back.
    """
    round, workshop, _sight = _get_workshop(request, pk)
    reopen = request.POST.get("state") == Workshop.Status.IN_PROGRESS
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if reopen:
            message = _("The workshop is in progress again.")
            if locked.is_finished:
                locked.status, locked.finished_at = Workshop.Status.IN_PROGRESS, None
        else:
            message = _("The workshop is finished; its consensus shows beside the round's mean.")
            if not locked.is_finished:
                locked.status, locked.finished_at = Workshop.Status.FINISHED, timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        locked.refresh_result()
    messages.success(request, message)
    return redirect("assessments:workshop", pk=round.pk)


@login_required
@require_GET
def workshop_summary(request, pk):
    """One printable page in the organization's language: agenda, before and after, decisions."""
    round, workshop, sight = _get_workshop(request, pk)
    language = workshops.organization_language(round.organization)
    with translation.override(language):
        items = workshops.agenda_items(workshop)
        stages = list(Stage.objects.with_content())
        context = {
            "round": round,
            "organization": round.organization,
            "workshop": workshop,
            "items": items,
            "rows": _summary_rows(round, items, sight),
            "side_labels": [group.label for group in workshops.SIDES if group in sight.groups],
            "total_minutes": workshops.minutes_total(items),
            "round_summary": results.summarize(round, stages),
            "consensus_summary": results.summarize(workshop, stages),
            "position_change": _signed_change(round, workshop),
            "language": language,
            "printed_on": date_format(timezone.localdate()),
        }
        response = render(request, "assessments/workshop_summary.html", context)
    return response


def _signed_change(round, workshop):
    """The consensus position against the round's mean, "+0.3", when both place the team."""
    if not (round.reading.placed and workshop.reading.placed):
        return None
    change = results.position_change(round.position, workshop.position)
    text = number_format(change, 1)
    return f"+{text}" if change > 0 else text


def _summary_rows(round, items, sight):
    rows = []
    for item in items:
        key = item.indicator_key
        before = round.indicator_scores.get(key) if key else None
        sides = []
        for group in workshops.SIDES:
            if group in sight.groups:
                value = round.groups.get(group, {}).get("indicator_scores", {}).get(key)
                sides.append((group.label, None if value is None else results.percent(value)))
        after = item.option.value if item.option_id else None
        rows.append(
            {
                "item": item,
                "before": None if before is None else results.percent(before),
                "sides": sides,
                "after": None if after is None else results.percent(after),
                "difference": (
                    None
                    if before is None or after is None
                    else results.percent(after) - results.percent(before)
                ),
            }
        )
    return rows
