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
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stages.models import Stage

from .. import agenda, results, workshops
from ..forms import (
    DONT_KNOW,
    WorkshopDecisionForm,
    WorkshopFinishForm,
    WorkshopGoForm,
    WorkshopItemForm,
    WorkshopTimeBoxForm,
)
from ..models import Organization, PlanItem, Round, Workshop, WorkshopAnswer, WorkshopItem


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
    sight = workshops.sight_for(round, is_member)
    # Its figures as this user sees them (the publication, where that is theirs).
    return round.seen(sight), workshop, sight


def _get_item(workshop, item_pk):
    return get_object_or_404(
        workshop.items.select_related("indicator__stage", "plan_item").prefetch_related("answers"),
        pk=item_pk,
    )


def _members_of(organization):
    return get_user_model().objects.filter(memberships__organization=organization).order_by("email")


def _agenda_context(round, workshop, sight, **forms):
    items = workshops.agenda_items(workshop)
    return {
        "workshop": workshop,
        "items": [item for item in items if not item.next_time],
        "next_time": [item for item in items if item.next_time],
        "total_minutes": workshops.minutes_total(items),
        "last_position": max((item.position for item in items), default=0),
        "undecided": workshops.undecided(items),
        "shows_disagreement": sight.gap or sight.individuals,
        "add_form": forms.get("add_form") or WorkshopItemForm(),
        "time_box_form": forms.get("time_box_form") or WorkshopTimeBoxForm(instance=workshop),
    }


@login_required
@require_GET
def workshop(request, pk):
    """The agenda: the items in order with their minutes, the time box, what waits for next time."""
    round, is_member = _get_round_for_workshop(request, pk)
    workshop = getattr(round, "workshop", None)
    refusal = workshops.refusal(round, is_member)
    context = {
        "round": round,
        "organization": round.organization,
        "refusal": refusal,
        "default_time_box": agenda.DEFAULT_TIME_BOX,
    }
    if workshop is not None and refusal is None:
        context.update(_agenda_context(round, workshop, workshops.sight_for(round, is_member)))
    return render(request, "assessments/workshop.html", context)


@login_required
@require_POST
def workshop_open(request, pk):
    round, is_member = _get_round_for_workshop(request, pk)
    refusal = workshops.refusal(round, is_member)
    if refusal:
        messages.error(request, refusal)
        return redirect("assessments:workshop", pk=round.pk)
    opened, created = workshops.open_workshop(round, request.user)
    if created:
        messages.success(request, _("The workshop is open, with its agenda ranked."))
    return redirect("assessments:workshop", pk=round.pk)


@login_required
@require_POST
def workshop_agenda_item(request, pk, item_pk):
    """Move an item up or down, leave it for next time or bring it back."""
    round, workshop, _sight = _get_workshop(request, pk)
    item = _get_item(workshop, item_pk)
    action = request.POST.get("action")
    with transaction.atomic():
        if action in ("up", "down"):
            workshops.move(workshop, item, -1 if action == "up" else 1)
        elif action in ("skip", "restore"):
            WorkshopItem.objects.filter(pk=item.pk).update(skipped=action == "skip")
            workshops.reschedule(workshop)
        else:
            messages.error(request, _("Choose what to do with the item."))
            return redirect("assessments:workshop", pk=round.pk)
    return redirect(reverse("assessments:workshop", args=[round.pk]) + f"#item-{item.pk}")


@login_required
@require_POST
def workshop_add_item(request, pk):
    round, workshop, sight = _get_workshop(request, pk)
    form = WorkshopItemForm(request.POST)
    if not form.is_valid():
        context = {"round": round, "organization": round.organization}
        context.update(_agenda_context(round, workshop, sight, add_form=form))
        return render(request, "assessments/workshop.html", context, status=400)
    with transaction.atomic():
        last = workshop.items.select_for_update().order_by("-position").first()
        WorkshopItem.objects.create(
            workshop=workshop,
            title=form.cleaned_data["title"],
            minutes=form.cleaned_data["minutes"],
            position=(last.position if last else 0) + 1,
        )
        workshops.reschedule(workshop)
    messages.success(request, _("The topic is added at the end of the agenda."))
    return redirect("assessments:workshop", pk=round.pk)


@login_required
@require_POST
def workshop_time_box(request, pk):
    """Set how long the meeting lasts; the minutes are shared out again to fit it."""
    round, workshop, sight = _get_workshop(request, pk)
    form = WorkshopTimeBoxForm(request.POST, instance=workshop)
    if not form.is_valid():
        workshop.refresh_from_db(fields=["time_box"])
        context = {"round": round, "organization": round.organization}
        context.update(_agenda_context(round, workshop, sight, time_box_form=form))
        return render(request, "assessments/workshop.html", context, status=400)
    with transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(time_box=form.cleaned_data["time_box"])
        workshop.time_box = form.cleaned_data["time_box"]
        workshops.reschedule(workshop)
    messages.success(
        request,
        ngettext(
            "The agenda fits %(count)s minute now.",
            "The agenda fits %(count)s minutes now.",
            workshop.time_box,
        )
        % {"count": workshop.time_box},
    )
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
    """Record an indicator's consensus, note and action; a stale save is refused, never merged."""
    round, workshop, sight = _get_workshop(request, pk)
    item = _get_item(workshop, item_pk)
    questions = workshops.item_questions(round, item)
    members = _members_of(round.organization)
    initial = {"note": item.note, "version": item.version}
    initial.update(_consensus_choices(item, questions))
    if item.plan_item_id:
        plan = item.plan_item
        initial.update(
            add_action=True,
            owner=plan.owner,
            owner_person=plan.owner_person_id,
            due_on=plan.due_on,
            action=plan.note,
        )
    form = WorkshopDecisionForm(
        request.POST or None, item=item, questions=questions, members=members, initial=initial
    )
    status = 200
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            if _save_decision(request, round, workshop, item, form):
                messages.success(request, _("The decision is saved."))
                return redirect(_after_save(request, round, workshop, item))
            item = _get_item(workshop, item.pk)
            if _same_decision(item, form):  # a double submit
                messages.success(request, _("The decision is saved."))
                return redirect(_after_save(request, round, workshop, item))
            conflict = item
            # Saving again means overwriting what the other facilitator saved, knowingly.
            data = request.POST.copy()
            data["version"] = str(item.version)
            form = WorkshopDecisionForm(data, item=item, questions=questions, members=members)
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
        "conflict_answers": _agreed_texts(conflict, questions) if conflict else None,
        "figures": workshops.item_figures(round, item, sight),
    }
    return render(request, "assessments/workshop_item.html", context, status=status)


def _consensus_choices(item, questions):
    """The form's initial choice per question: the agreed option, "dont-know" or undecided."""
    agreed = {answer.question_id: answer for answer in item.answers.all()}
    choices = {}
    for question in questions:
        answer = agreed.get(question.pk)
        if answer is None:
            choices[question.field_name] = WorkshopDecisionForm.UNDECIDED
        else:
            choices[question.field_name] = str(answer.option_id) if answer.option_id else DONT_KNOW
    return choices


def _agreed_texts(item, questions):
    """What another facilitator saved, question by question, in words."""
    agreed = {answer.question_id: answer for answer in item.answers.select_related("option")}
    texts = []
    for question in questions:
        answer = agreed.get(question.pk)
        if answer is None:
            text = _("Not decided yet")
        else:
            text = answer.option.text if answer.option_id else _("We don't know")
        texts.append((question.text, text))
    return texts


def _same_decision(item, form):
    """Whether a stale form asks for exactly what is saved, its action included."""
    saved = {answer.question_id: answer.option_id for answer in item.answers.all()}
    asked = {
        question.pk: option.pk if option else None for question, option in form.answers().items()
    }
    if saved != asked or item.note != form.cleaned_data["note"]:
        return False
    plan_fields = form.plan_fields()
    if plan_fields is None:
        return True
    plan = item.plan_item
    if plan is None:
        return False
    return (plan.owner, plan.owner_person_id, plan.due_on, plan.note) == (
        plan_fields["owner"],
        plan_fields["owner_person"].pk if plan_fields["owner_person"] else None,
        plan_fields["due_on"],
        plan_fields["note"],
    )


def _after_save(request, round, workshop, item):
    if request.POST.get("next") == "present":
        return reverse("assessments:workshop_present", args=[round.pk])
    following = (
        workshop.items.filter(next_time=False, position__gt=item.position)
        .order_by("position", "pk")
        .first()
    )
    if request.POST.get("next") == "item" and following:
        return reverse("assessments:workshop_item", args=[round.pk, following.pk])
    return reverse("assessments:workshop", args=[round.pk]) + f"#item-{item.pk}"


def _save_decision(request, round, workshop, item, form):
    """Store the decision if ITEM is still at the version the form was filled from."""
    agreed = form.answers()
    with transaction.atomic():
        saved = WorkshopItem.objects.filter(
            pk=item.pk, version=form.cleaned_data["version"]
        ).update(
            note=form.cleaned_data["note"],
            decided_at=timezone.now() if agreed else None,
            decided_by=request.user,
            version=F("version") + 1,
        )
        if not saved:
            return False
        WorkshopAnswer.objects.filter(item=item).delete()
        WorkshopAnswer.objects.bulk_create(
            WorkshopAnswer(item=item, question=question, option=option)
            for question, option in agreed.items()
        )
        plan_fields = form.plan_fields()
        if plan_fields is not None and item.indicator_id:
            plan_item = _plan_item(round, item, request.user, plan_fields)
            WorkshopItem.objects.filter(pk=item.pk).update(plan_item=plan_item)
        Workshop.objects.select_for_update().get(pk=workshop.pk).refresh_result()
    return True


def _plan_item(round, item, user, fields):
    """The plan item on ITEM's indicator, created or brought up to date with FIELDS."""
    indicator = item.indicator
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
@require_http_methods(["GET", "POST"])
def workshop_finish(request, pk):
    """Finish the workshop, naming what is undecided first, or continue it.

    The form names the state it asks for, so a resent or double-clicked form
    leaves the workshop as asked instead of toggling it back. Finishing with
    undecided indicators needs the box ticked that says they count as unknown.
    """
    round, workshop, _sight = _get_workshop(request, pk)
    undecided = workshops.undecided(workshops.agenda_items(workshop))
    form = WorkshopFinishForm(
        request.POST or None, undecided=undecided, initial={"state": Workshop.Status.FINISHED}
    )
    if request.method == "POST" and form.is_valid():
        reopen = form.cleaned_data["state"] == Workshop.Status.IN_PROGRESS
        with transaction.atomic():
            locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
            if reopen:
                message = _("The workshop is in progress again.")
                if locked.is_finished:
                    locked.status, locked.finished_at = Workshop.Status.IN_PROGRESS, None
            else:
                message = _(
                    "The workshop is finished; its consensus shows beside the round's mean."
                )
                if not locked.is_finished:
                    locked.status, locked.finished_at = Workshop.Status.FINISHED, timezone.now()
            locked.save(update_fields=["status", "finished_at"])
            locked.refresh_result()
        messages.success(request, message)
        return redirect("assessments:workshop", pk=round.pk)
    context = {
        "round": round,
        "organization": round.organization,
        "workshop": workshop,
        "undecided": undecided,
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/workshop_finish.html", context, status=status)


@login_required
@require_GET
def workshop_summary(request, pk):
    """One printable page in the reader's language: agenda, before and after, decisions."""
    round, workshop, sight = _get_workshop(request, pk)
    items = workshops.agenda_items(workshop)
    stages = list(Stage.objects.with_content())
    context = {
        "round": round,
        "organization": round.organization,
        "workshop": workshop,
        "rows": _summary_rows(round, workshop, items, sight),
        "next_time": [item for item in items if item.next_time],
        "side_labels": [group.label for group in workshops.SIDES if group in sight.groups],
        "total_minutes": workshops.minutes_total(items),
        "round_summary": results.summarize(round, stages),
        "consensus_summary": results.summarize(workshop, stages),
        "position_change": _signed_change(round, workshop),
        "printed_on": date_format(timezone.localdate()),
    }
    return render(request, "assessments/workshop_summary.html", context)


def _signed_change(round, workshop):
    """The consensus position against the round's mean, "+0.3", when both place the team."""
    if not (round.reading.placed and workshop.reading.placed):
        return None
    change = results.position_change(round.position, workshop.position)
    text = number_format(change, 1)
    return f"+{text}" if change > 0 else text


def _summary_rows(round, workshop, items, sight):
    """The items discussed: the mean before (and per side shown), the consensus after."""
    rows = []
    for item in items:
        if item.next_time:
            continue
        key = item.indicator_key
        before = round.indicator_scores.get(key) if key else None
        sides = []
        for group in workshops.SIDES:
            if group in sight.groups:
                value = round.groups.get(group, {}).get("indicator_scores", {}).get(key)
                sides.append((group.label, None if value is None else results.percent(value)))
        after = workshop.indicator_scores.get(key) if key and item.is_decided else None
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
