"""Thin views: an access helper, a form, one service call, render or redirect."""

import time
from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from convoca.accounts.second_factor import recent_second_factor
from convoca.core.errors import ServiceError
from convoca.core.shared_pages import no_messages_waiting, render_shared
from convoca.core.web import apply_service_error, get_for_user, perform, require, submit
from convoca.gatherings.models import Gathering
from convoca.texts.queries import localize

from . import ballot_box, queries, services
from .forms import AnnulForm, BallotForm, CountForm, PollForm, ProxyForm, TellerPassphraseForm, delegate_label
from .models import Option, Poll, Proxy, weight_display
from .rules import is_party_to_proxy
from .tally import rules_text


def _poll_for(request, pk, perm="voting.view_poll"):
    return get_for_user(request, queries.get_poll(pk), perm)


def _represented(user, poll, spec=None):
    """The registrations of the delegates whose vote ``user`` holds by proxy in ``poll``. An open poll's frozen
    roll (``spec``, kept by the ballot box) says whether there are any: no query for a delegate holding none."""
    if spec is not None and not spec.proxies.get(user.pk):
        return []
    return [v.registration for v in queries.holder_entitlements(user, poll) if v.registration.person.user_id != user.pk]


def _ballot_poll(request, pk):
    """The poll of the ballot page or form, and its spec while it is open. An open poll's question, options,
    rules and roll are frozen: the ballot box keeps them per process and checks that the poll is still open
    (``ballot_box.open_spec``)."""
    spec = ballot_box.open_spec(pk)
    if spec is not None and spec.poll is not None:
        return get_for_user(request, spec.poll, "voting.view_poll"), spec
    poll = _poll_for(request, pk)
    return poll, _open_spec(poll)


def _open_spec(poll):
    """The ballot box's spec of an open poll (options and roll, frozen at opening, kept per process), or None."""
    if not poll.is_open:
        return None
    spec = ballot_box.poll_spec(poll.pk)
    return spec if spec is not None and spec.state == Poll.State.OPEN else None


def _ballot_options(poll, spec=None):
    """The options of ``poll`` in ballot order: from an open poll's spec rather than the database. A built-in
    answer (yes, no...) carries its label still untranslated: only a ballot being drawn translates it."""
    if spec is None:
        return list(poll.options.all())
    return [Option(pk=pk, poll=poll, code=code, label=spec.labels.get(pk) or Option.Code(code).label)
            for pk, code in spec.options.items()]


def _shown(poll, spec=None):
    """``poll`` and its options in the reader's language (``queries.shown``). An open poll's are kept with its
    spec and drawn again every ``SHOWN_TTL`` seconds (the original is frozen; a translation may arrive)."""
    if spec is None:
        return queries.shown(poll)
    language = get_language()
    found = spec.shown.get(language)
    if found is None or time.monotonic() - found[0] > ballot_box.SHOWN_TTL:
        found = spec.shown[language] = (time.monotonic(), *queries.shown(poll, language=language))
    return found[1], found[2]


@login_required
def poll_list(request, slug):
    gathering = get_for_user(request, Gathering, "voting.view_polls", slug=slug)
    polls = localize(queries.polls_for(gathering))
    return render(request, "voting/list.html", {
        "gathering": gathering, "polls": polls,
        "can_manage": request.user.has_perm("voting.manage_polls", gathering),
    })


@login_required
@recent_second_factor
def poll_create(request, slug):
    gathering = get_for_user(request, Gathering, "voting.manage_polls", slug=slug)
    searching = "picker" in request.POST  # a picker's Search button (without JavaScript): the form comes back
    form = PollForm(request.POST or None, gathering=gathering, viewer=request.user, searching=searching)
    saved = not searching and submit(
        request, form, lambda: services.create_poll(request.user, gathering, **form.cleaned_data),
        _("The poll was created. Open it when the assembly is ready to vote."))
    return saved or render(request, "voting/form.html", {"gathering": gathering, "form": form})


@login_required
@never_cache
def poll_picker(request, slug, name):
    """The rows of one picker of the create-poll form for a search (htmx, as one types): the choices sent
    along kept first, then the first others that match. A read: nothing is judged, nothing written. No
    recent second factor asked: it shows a manager no more than the list of registrations does."""
    gathering = get_for_user(request, Gathering, "voting.manage_polls", slug=slug)
    if name not in PollForm.PICKERS:
        raise Http404
    form = PollForm(request.GET, gathering=gathering, viewer=request.user, searching=True)
    return render(request, "voting/_picker_rows.html", {"field": form[name], "picker": form.picker(name), "oob": True})


def _ballot_context(request, poll, form=None, spec=None):
    """What the poll page shows to this viewer: ballot, turnout, results."""
    user = request.user
    poll, options = _shown(poll, spec)
    context = {"poll": poll, "gathering": poll.gathering, "options": options,
               "can_manage": user.has_perm("voting.manage_poll", poll),
               # called by the template only when its cached rules fragment is missing
               "rules_text": lambda: rules_text(services.tally_spec(poll, options))}
    if poll.is_secret and (poll.state == Poll.State.DRAFT or poll.awaits_count):
        context["tellers"] = queries.tellers(user, poll)
        context["can_count"] = poll.awaits_count and user.has_perm("voting.count_poll", poll)
    if poll.state != Poll.State.DRAFT:  # counted (or read from the shared cache) only when its fragment is drawn
        context["turnout"] = SimpleLazyObject(partial(queries.turnout, poll))
    if queries.can_see_results(user, poll):
        context["result"] = queries.labelled_result(poll, queries.live_result(poll), options)
    if poll.is_open and user.has_perm("voting.vote", poll):
        voted = queries.has_voted(user, poll)
        context["voted"] = voted
        context["represented"] = _represented(user, poll, spec)
        if not voted or poll.allow_change:
            context["form"] = form or BallotForm(
                initial={"idempotency_key": ballot_box.new_key()}, poll=poll, options=options,
                represented=context["represented"], viewer=user,
            )
    return context


@login_required
@never_cache
def poll_detail(request, pk):
    poll, spec = _ballot_poll(request, pk)
    context = _ballot_context(request, poll, spec=spec)
    form = context.get("form")
    if (form is None or form.is_bound or context.get("voted") or context.get("represented") or context["can_manage"]
            or "tellers" in context or context.get("result") is not None or not no_messages_waiting(request)):
        return render(request, "voting/detail.html", context)
    # The open ballot of a delegate who has not voted, holds no proxy and runs nothing is the same for every such
    # delegate of one language and kind of account but for the form's CSRF token and request key: drawn once a
    # second per process, as the turnout it shows (``voting_turnout``).
    shown = context["poll"]
    return render_shared(request, "voting/detail.html", "voting_ballot_page",
                         [shown.pk, shown.created_at.timestamp(), shown.state, getattr(shown, "texts_stamp", "")],
                         lambda: context, personal=[form["idempotency_key"].value()])


@login_required
@require_POST
@never_cache
def poll_cast(request, pk):
    """The web ballot: a plain form. The confirmation with the receipt is
    rendered in the answer itself (never stored in the session): reloading it
    re-sends the same request key and counts once."""
    poll, spec = _ballot_poll(request, pk)
    require(request, "voting.vote", poll)
    form = BallotForm(request.POST, poll=poll, options=_ballot_options(poll, spec),
                      represented=_represented(request.user, poll, spec), viewer=request.user)
    if form.is_valid():
        try:
            result = services.cast_ballot(request.user, poll, form.cleaned_data["ballot"],
                                          form.cleaned_data["idempotency_key"], form.cleaned_data.get("proxy_split"))
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            response = _cast_done(request, poll, spec, result)
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "voting/detail.html", _ballot_context(request, poll, form, spec))


def _cast_done(request, poll, spec, result):
    """The confirmation with the receipt. Without proxies it is the same for every voter of one language and
    kind of account who cast the same weight but for the receipt and the CSRF token: drawn once a second per
    process and shared (``core.shared_pages``); the receipt is put in each copy, never kept with the page."""
    shown = _shown(poll, spec)[0]
    weight = weight_display(result.weight, result.unit)

    def context():
        return {"poll": shown, "gathering": poll.gathering, "result": result, "weight": weight,
                "receipts": _receipts_shown(request.user, result)}

    if len(result.receipts) > 1 or not no_messages_waiting(request):
        return render(request, "voting/cast_done.html", context())
    return render_shared(request, "voting/cast_done.html", "voting_cast_done", [
        shown.pk, shown.created_at.timestamp(), getattr(shown, "texts_stamp", ""), result.votes, str(weight),
        result.duplicate, result.changed,
    ], context, personal=[result.receipt])


def _receipts_shown(user, result):
    """The cast's receipts for the confirmation page: the own vote first, then each proxy, named as far as
    the voter may see the delegate who gave it."""
    from convoca.gatherings.models import Registration

    if len(result.receipts) == 1:  # no proxy: nobody to name
        return [{"receipt": result.receipts[0][0], "own": True, "delegate": ""}]
    regs = Registration.objects.filter(pk__in=[reg_id for _r, reg_id in result.receipts[1:]]).select_related(
        "person", "organisation")
    by_id = {reg.pk: reg for reg in regs}
    return [
        {"receipt": receipt, "own": i == 0, "delegate": delegate_label(user, by_id[reg_id]) if reg_id in by_id else ""}
        for i, (receipt, reg_id) in enumerate(result.receipts)
    ]


def _lifecycle(request, pk, action, done_message):
    poll = _poll_for(request, pk, "voting.manage_poll")
    return perform(request, partial(action, request.user, poll), done_message, poll)


@login_required
@require_POST
@recent_second_factor
def poll_open(request, pk):
    return _lifecycle(request, pk, services.open_poll, _("The poll is open: the voter roll is fixed from now on."))


@login_required
@require_POST
@recent_second_factor
def poll_close(request, pk):
    poll = _poll_for(request, pk, "voting.manage_poll")
    if poll.is_secret:
        done = _("The poll is closed. Its ballots stay sealed until the tellers unlock the count.")
    else:
        done = _("The poll is closed and counted. Publish the results when ready.")
    return perform(request, partial(services.close_poll, request.user, poll), done, poll)


@login_required
@require_POST
@recent_second_factor
def poll_publish(request, pk):
    return _lifecycle(request, pk, services.publish_poll, _("The results are published."))


@login_required
@recent_second_factor
def poll_annul(request, pk):
    poll = _poll_for(request, pk, "voting.manage_poll")
    form = AnnulForm(request.POST or None)
    saved = submit(request, form, lambda: services.annul_poll(request.user, poll, form.cleaned_data["reason"]),
                   _("The poll was annulled."), redirect_to=poll)
    return saved or render(request, "voting/annul.html", {"poll": localize([poll])[0], "gathering": poll.gathering, "form": form})


@login_required
@recent_second_factor
def poll_teller(request, pk):
    """A teller sets their teller passphrase for this poll, before it opens."""
    poll = _poll_for(request, pk, "voting.be_teller")
    form = TellerPassphraseForm(request.POST or None)
    saved = submit(request, form, lambda: services.set_teller_passphrase(request.user, poll, form.cleaned_data["passphrase"]),
                   _("Your teller passphrase is set. Keep it safe: the count needs it."), redirect_to=poll)
    return saved or render(request, "voting/teller.html", {"poll": localize([poll])[0], "gathering": poll.gathering, "form": form})


@login_required
@never_cache
@recent_second_factor
def poll_count(request, pk):
    """The count of a closed secret poll: k tellers give their passphrases together, on this one page."""
    poll = _poll_for(request, pk, "voting.count_poll")
    tellers = queries.tellers(request.user, poll)
    form = None
    if poll.awaits_count:
        form = CountForm(request.POST or None, tellers=tellers, needed=poll.tellers_needed)
    elif request.method == "POST":
        return perform(request, lambda: services.count_sealed(request.user, poll, []), "", poll)
    saved = form is not None and submit(
        request, form, lambda: services.count_sealed(request.user, poll, form.unlocks()),
        _("The ballots are unsealed and counted; the poll's key is destroyed. Publish the results when ready."),
        redirect_to=poll,
    )
    return saved or render(request, "voting/count.html", {
        "poll": localize([poll])[0], "gathering": poll.gathering, "form": form, "tellers": tellers,
    })


def poll_results(request, pk):
    """Published results with the rules they were counted by: public for a public gathering."""
    poll = get_for_user(request, queries.get_poll(pk))
    poll, options = _shown(poll)
    context = {"poll": poll, "gathering": poll.gathering, "visible": queries.can_see_results(request.user, poll)}
    if context["visible"]:
        context.update(result=queries.labelled_result(poll, queries.live_result(poll), options),
                       rules_text=rules_text(services.tally_spec(poll, options)),
                       receipts_published=queries.can_see_receipts(request.user, poll))
    return render(request, "voting/results.html", context)


def poll_receipts(request, pk):
    """Public once the results are published: every receipt with its choice, to check one's own ballot and
    to recount."""
    poll = get_for_user(request, queries.get_poll(pk))
    context = {"poll": localize([poll])[0], "gathering": poll.gathering,
               "published": queries.can_see_receipts(request.user, poll)}
    if context["published"]:
        rows = queries.receipts(poll, request.user)
        wanted = request.GET.get("receipt", "").strip().upper()
        context.update(rows=rows, wanted=wanted, found=[r for r in rows if wanted and r["receipt"] == wanted],
                       named=any("voter" in row for row in rows))
    return render(request, "voting/receipts.html", context)


@login_required
@never_cache
def poll_turnout(request, pk):
    """The live turnout panel (htmx refreshes it while the poll is open: every open ballot page asks for it
    every 5 seconds). The open poll comes from the ballot box's spec, and the turnout is counted or fetched
    only when the panel's cached fragment is missing."""
    poll, _spec = _ballot_poll(request, pk)
    return render(request, "voting/_turnout.html", {"poll": poll, "turnout": SimpleLazyObject(partial(queries.turnout, poll))})


@login_required
def poll_audit(request, pk):
    poll = _poll_for(request, pk, "voting.view_audit")
    entries = queries.audit_trail(request.user, poll)
    return render(request, "voting/audit.html", {"poll": localize([poll])[0], "gathering": poll.gathering, "entries": entries})


@login_required
def proxies(request, slug):
    gathering = get_for_user(request, Gathering, "voting.view_proxies", slug=slug)
    manager = request.user.has_perm("voting.manage_proxies", gathering)
    qs = Proxy.objects.filter(gathering=gathering).select_related(
        "giver__person", "giver__organisation", "holder__person", "holder__organisation")
    mine = [p for p in qs if manager or is_party_to_proxy(request.user, p)]
    if not request.user.has_perm("voting.give_proxy", gathering):  # observers, translators, organisers: no vote
        if request.method == "POST":
            require(request, "voting.give_proxy", gathering)
        return render(request, "voting/proxies.html", {
            "gathering": gathering, "proxies": mine, "form": None, "manager": manager,
        })
    form = ProxyForm(request.POST or None, gathering=gathering, viewer=request.user)
    saved = submit(request, form, lambda: services.give_proxy(request.user, gathering, form.cleaned_data["holder"]),
                   _("Your proxy is recorded. It applies to every poll opened from now on."),
                   redirect_to=reverse("voting:proxies", args=[gathering.slug]))
    return saved or render(request, "voting/proxies.html", {
        "gathering": gathering, "proxies": mine, "form": form, "manager": manager,
    })


@login_required
@require_POST
def proxy_revoke(request, pk):
    proxy = Proxy.objects.select_related("gathering", "giver__person", "holder__person").filter(pk=pk).first()
    if proxy is not None and not request.user.has_perm("voting.revoke_proxy", proxy):
        proxy = None  # only its parties and managers see a proxy: to anyone else it does not exist (404)
    proxy = get_for_user(request, proxy)
    return perform(
        request, lambda: services.revoke_proxy(request.user, proxy),
        _("The proxy is revoked. Polls already open keep their voter roll."),
        reverse("voting:proxies", args=[proxy.gathering.slug]),
    )
