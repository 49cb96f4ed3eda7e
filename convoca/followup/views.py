"""Pages of the follow-up: the public accountability page and each resolution's record, the working groups
(for their members and the coordinators), their notes, members and meetings. Every form posts and redirects."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from convoca.core.web import get_for_user, require, submit
from convoca.gatherings.models import Gathering
from convoca.network.rules import public_name

from . import queries, services
from .forms import AssignForm, GroupForm, MeetingForm, MemberForm, NotesForm, ProgressForm
from .models import Implementation, Member, WorkingGroup


def accountability(request, slug):
    gathering = get_for_user(request, Gathering, "gatherings.view_gathering", slug=slug)
    context = queries.accountability(gathering)
    context.update({"gathering": gathering, "manages": request.user.has_perm("followup.manage", gathering)})
    return render(request, "followup/accountability.html", context)


@never_cache
def resolution(request, slug, pk):
    gathering = get_for_user(request, Gathering, "gatherings.view_gathering", slug=slug)
    item = get_for_user(request, queries.implementations(gathering), pk=pk)
    may_post = request.user.has_perm("followup.post_progress", item)
    manages = request.user.has_perm("followup.manage", gathering)
    form = ProgressForm(request.POST or None, initial={"status": item.status}) if may_post else None
    assign_form = AssignForm(initial={"group": item.group_id}, gathering=gathering) if manages else None
    if request.method == "POST":
        form = form or ProgressForm(request.POST)  # the service refuses a non-member with its message (403)
        done = submit(
            request, form,
            lambda: services.post_progress(request.user, item, **form.cleaned_data),
            _("Progress posted: it is on the accountability page."),
            redirect_to=reverse("followup:resolution", args=[slug, pk]),
        )
        if done:
            return done
    return render(request, "followup/resolution.html", {
        "gathering": gathering, "item": item, "form": form, "assign_form": assign_form,
    })


@login_required
def assign(request, slug, pk):
    gathering = get_for_user(request, Gathering, "followup.manage", slug=slug)
    item = get_for_user(request, Implementation.objects.filter(gathering=gathering), pk=pk)
    form = AssignForm(request.POST or None, gathering=gathering)
    done = submit(request, form, lambda: services.assign(request.user, item, form.cleaned_data["group"]),
                  _("Responsible working group saved."),
                  redirect_to=reverse("followup:resolution", args=[slug, pk]))
    return done or redirect("followup:resolution", slug, pk)


@login_required
def groups(request, slug):
    gathering = get_for_user(request, Gathering, "followup.view_groups", slug=slug)
    manages = request.user.has_perm("followup.manage", gathering)
    form = GroupForm(request.POST or None, gathering=gathering) if manages else None
    if request.method == "POST":
        require(request, "followup.manage", gathering)
        done = submit(request, form, lambda: services.create_group(request.user, gathering, **form.cleaned_data),
                      _("Working group created."), redirect_to=reverse("followup:groups", args=[slug]))
        if done:
            return done
    return render(request, "followup/groups.html", {
        "gathering": gathering, "groups": queries.groups_for(request.user, gathering), "form": form,
    })


def _group(request, slug, pk, perm="followup.view_group"):
    gathering = get_for_user(request, Gathering, slug=slug)
    return get_for_user(request, WorkingGroup.objects.filter(gathering=gathering).select_related("theme"), perm,
                        pk=pk)


@login_required
@never_cache
def group(request, slug, pk):
    found = _group(request, slug, pk)
    members = Member.objects.filter(group=found).select_related("user__person", "organisation")
    shown = [(public_name(request.user, getattr(m.user, "person", None), m.organisation), m.organisation)
             for m in members]
    notes = NotesForm(request.POST or None, initial={"notes": found.notes, "base_version": found.notes_version})
    if request.method == "POST":
        done = submit(request, notes, lambda: services.save_notes(request.user, found, **notes.cleaned_data),
                      _("Notes saved."), redirect_to=reverse("followup:group", args=[slug, pk]))
        if done:
            return done
    manages = request.user.has_perm("followup.manage", found.gathering)
    return render(request, "followup/group.html", {
        "gathering": found.gathering, "group": found, "members": shown, "notes_form": notes,
        "member_form": MemberForm() if manages else None, "meeting_form": MeetingForm(),
        "meetings": found.meetings.select_related("gathering"),
        "implementations": found.implementations.select_related("proposal"),
    })


@login_required
def add_member(request, slug, pk):
    found = _group(request, slug, pk, "followup.view_group")
    require(request, "followup.manage", found.gathering)
    form = MemberForm(request.POST or None)
    done = submit(request, form, lambda: services.add_member(request.user, found, form.cleaned_data["user"],
                                                              form.cleaned_data["organisation"]),
                  _("Member added."), redirect_to=reverse("followup:group", args=[slug, pk]))
    return done or redirect("followup:group", slug, pk)


@login_required
def add_meeting(request, slug, pk):
    found = _group(request, slug, pk)
    form = MeetingForm(request.POST or None)
    done = submit(request, form, lambda: services.add_meeting(request.user, found, **form.cleaned_data),
                  _("Meeting added."), redirect_to=reverse("followup:group", args=[slug, pk]))
    return done or redirect("followup:group", slug, pk)
