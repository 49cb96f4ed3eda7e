"""Sensitive actions of every app ask the second factor again (issue 10).

A coordinator (or, for forwarding, a national committee member) whose session
proved its second factor longer ago than ``OTP_REAUTH_SECONDS`` is sent to the
code page and nothing is written; after a right code they come back to the
page they were on, and the same action then works. Pages through
``recent_second_factor``, API operations through ``require_recent_second_factor``
(a 403 with code ``second_factor_required``), one parametrized test per group.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from convoca.accounts.second_factor import VERIFIED_AT
from convoca.gatherings.models import Gathering, Registration
from convoca.imports.models import ImportBatch
from convoca.network.models import NationalCommittee, Person
from convoca.proposals.models import Proposal, ProposalSettings
from convoca.voting import services as voting
from convoca.voting.models import Poll, Teller
from tests.accounts.helpers import totp_code
from tests.audit.helpers import audit_entries
from tests.database import all_rows, changed_tables
from tests.fixtures import client_for
from tests.gatherings.helpers import delegate as gathering_delegate
from tests.gatherings.helpers import gathering_data
from tests.imports.matrix import _staged
from tests.proposals.helpers import delegate as proposals_delegate
from tests.proposals.helpers import proposal
from tests.voting.matrix import PASSPHRASE, _draft, _open, _sealed

CONFIRM = reverse("accounts:confirm_code")
REAUTH = 600


class Case:
    """One sensitive action: who does it, where (``url(w)``), the page its
    button or form is on (``page(w)``, sent as Referer), what is posted
    (``data(w)``), and ``works(w, response)`` that asserts it was done."""

    def __init__(self, url, works, data=lambda w: {}, page=None, who="alice", shows_form=False):
        self.url, self.works, self.data, self.who, self.shows_form = url, works, data, who, shows_form
        self.page = page or url


def _stale(client):
    session = client.session
    session[VERIFIED_AT] = int(time.time()) - REAUTH - 1
    session.save()


def _confirm(client, response):
    """The code page the response sends to: a right code, and back to ``next``.
    A code works once: a second confirmation in the same test uses the next one."""
    assert response.status_code == 302 and response.url.startswith(CONFIRM + "?"), (response.status_code, response.get("Location"))
    next_url = parse_qs(urlsplit(response.url).query)["next"][0]
    client.codes_used = getattr(client, "codes_used", -1) + 1
    back = client.post(response.url, {"code": totp_code(step_offset=client.codes_used)})
    assert back.status_code == 302 and back.url == next_url
    return next_url


def _run(world, settings, case):
    settings.OTP_REAUTH_SECONDS = REAUTH
    client = client_for(getattr(world, case.who))
    url, data, page = case.url(world), case.data(world), case.page(world)
    referer = f"http://testserver{page}"
    if case.shows_form:  # the form itself asks first, and comes back to itself
        _stale(client)
        asked = client.get(url)
        assert _confirm(client, asked) == url
        assert client.get(url).status_code == 200
    _stale(client)
    before = all_rows()
    refused = client.post(url, data, HTTP_REFERER=referer)
    assert changed_tables(before, all_rows()) == [], "a stale session wrote something"
    assert _confirm(client, refused) == referer  # back on the page it came from
    done = client.post(url, data, HTTP_REFERER=referer)
    assert done.status_code in (200, 302), done.status_code
    case.works(world, done)


def _registration(w, attr):
    return Registration.objects.get(pk=getattr(w, attr).pk)


def _reg_url(name, attr):
    return lambda w: reverse(name, args=[getattr(w, attr).gathering.slug, getattr(w, attr).pk])


def _pending_mandate(w):
    if not hasattr(w, "pending"):
        w.pending = gathering_delegate(w, w.conference, w.nadia_person, w.org_co)
    return reverse("gatherings:mandate", args=[w.conference.slug, w.pending.pk])


GATHERINGS = {
    "accredit": Case(
        _reg_url("gatherings:accredit", "olga_reg"), page=_reg_url("gatherings:registration", "olga_reg"),
        works=lambda w, r: _registration(w, "olga_reg").status == Registration.Status.ACCREDITED or pytest.fail(),
    ),
    "refuse": Case(
        _reg_url("gatherings:refuse", "olga_reg"), data=lambda w: {"reason": "Plazas agotadas"}, shows_form=True,
        works=lambda w, r: _registration(w, "olga_reg").status == Registration.Status.REFUSED or pytest.fail(),
    ),
    "mandate": Case(
        _pending_mandate, data=lambda w: {"decision": "confirm"}, page=lambda w: reverse("gatherings:mandates"),
        works=lambda w, r: Registration.objects.get(pk=w.pending.pk).mandate == Registration.Mandate.CONFIRMED
        or pytest.fail(),
    ),
    "revoke_badge": Case(
        _reg_url("gatherings:revoke_badge", "bob_reg"), page=_reg_url("gatherings:badge", "bob_reg"),
        works=lambda w, r: _registration(w, "bob_reg").badge_revoked_at is not None or pytest.fail(),
    ),
    "reissue_badge": Case(
        _reg_url("gatherings:reissue_badge", "bob_reg"), page=_reg_url("gatherings:badge", "bob_reg"),
        works=lambda w, r: _registration(w, "bob_reg").badge_nonce != w.bob_reg.badge_nonce or pytest.fail(),
    ),
    "create": Case(
        lambda w: reverse("gatherings:create"), data=lambda w: gathering_data(), shows_form=True,
        works=lambda w, r: Gathering.objects.filter(slug="prep-br").exists() or pytest.fail(),
    ),
    "edit": Case(
        lambda w: reverse("gatherings:edit", args=["prep-co"]), shows_form=True,
        data=lambda w: gathering_data(slug="prep-co", country="CO", title="Encuentro Colombia 2026"),
        works=lambda w, r: Gathering.objects.get(slug="prep-co").title == "Encuentro Colombia 2026" or pytest.fail(),
    ),
}


@pytest.mark.parametrize("name", sorted(GATHERINGS))
def test_it_asks_again_before_gatherings_actions(world, settings, name):
    _run(world, settings, GATHERINGS[name])


def _batch_url(name):
    def url(w):
        if not hasattr(w, "batch"):
            w.batch = _staged(w)
        return reverse(name, args=[w.batch.pk])
    return url


IMPORTS = {
    "confirm": Case(
        _batch_url("imports:confirm"), page=_batch_url("imports:preview"),
        works=lambda w, r: ImportBatch.objects.get(pk=w.batch.pk).confirmed_at is not None or pytest.fail(),
    ),
    "discard": Case(
        _batch_url("imports:discard"), page=_batch_url("imports:preview"),
        works=lambda w, r: not ImportBatch.objects.filter(pk=w.batch.pk).exists() or pytest.fail(),
    ),
}


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_it_asks_again_before_imports_actions(world, settings, name):
    _run(world, settings, IMPORTS[name])


def _poll_url(name, make):
    def url(w):
        if not hasattr(w, "poll"):
            w.poll = make(w)
        return reverse(name, args=[w.poll])
    return url


def _poll_page(w):
    return reverse("voting:detail", args=[w.poll])


def _state(w):
    return Poll.objects.get(pk=w.poll).state


def _counted(w):
    poll = Poll.objects.get(pk=_sealed(w))
    voting.count_sealed(w.alice, poll, [(w.alice, PASSPHRASE)])
    return poll.pk


def _ready_draft(w):
    """A draft poll that can open: its teller (alice) has a passphrase, bob is checked in."""
    Registration.objects.filter(pk=w.bob_reg.pk).update(checked_in_at=timezone.now())
    pk = _draft(w)
    voting.set_teller_passphrase(w.alice, Poll.objects.get(pk=pk), PASSPHRASE)
    return pk


POLL_FORM = {
    "title": "Comité", "kind": "yes_no", "options": "", "secrecy": "open", "electorate": "present",
    "weighting": "delegate", "majority": "simple", "base": "valid", "tie_break": "none",
}

VOTING = {
    "open": Case(
        _poll_url("voting:open", _ready_draft), page=_poll_page,
        works=lambda w, r: _state(w) == Poll.State.OPEN or pytest.fail(_state(w)),
    ),
    "close": Case(
        _poll_url("voting:close", _open), page=_poll_page,
        works=lambda w, r: _state(w) == Poll.State.CLOSED or pytest.fail(_state(w)),
    ),
    "publish": Case(
        _poll_url("voting:publish", _counted), page=_poll_page,
        works=lambda w, r: _state(w) == Poll.State.PUBLISHED or pytest.fail(_state(w)),
    ),
    "annul": Case(
        _poll_url("voting:annul", _draft), page=_poll_page, shows_form=True,
        data=lambda w: {"reason": "Texto equivocado"},
        works=lambda w, r: _state(w) == Poll.State.ANNULLED or pytest.fail(_state(w)),
    ),
    "count": Case(
        _poll_url("voting:count", _sealed), page=_poll_page, shows_form=True,
        data=lambda w: {"teller_1": str(w.alice.pk), "passphrase_1": PASSPHRASE},
        works=lambda w, r: Poll.objects.get(pk=w.poll).is_counted or pytest.fail(),
    ),
    "teller": Case(
        _poll_url("voting:teller", _draft), page=_poll_page, shows_form=True,
        data=lambda w: {"passphrase": "my teller passphrase", "confirm": "my teller passphrase"},
        works=lambda w, r: Teller.objects.get(poll_id=w.poll, user=w.alice).is_ready or pytest.fail(),
    ),
    "create": Case(
        lambda w: reverse("voting:create", args=["conferencia"]), shows_form=True, data=lambda w: POLL_FORM,
        works=lambda w, r: Poll.objects.filter(title="Comité").count() == 1 or pytest.fail(),
    ),
}


@pytest.mark.parametrize("name", sorted(VOTING))
def test_it_asks_again_before_voting_actions(world, settings, name):
    _run(world, settings, VOTING[name])


def _person_page(w):
    return reverse("network:person_data", args=[w.nadia_person.pk])


NETWORK = {
    "committee_create": Case(
        lambda w: reverse("network:committee_create"), data=lambda w: {"country": "BR"}, shows_form=True,
        works=lambda w, r: NationalCommittee.objects.filter(country="BR").exists() or pytest.fail(),
    ),
    "committee_member_add": Case(
        lambda w: reverse("network:committee_member_add", args=["CO"]), page=lambda w: reverse("network:committee", args=["CO"]),
        data=lambda w: {"person": w.nadia_person.email},
        works=lambda w, r: w.committee_co.members.filter(pk=w.nadia_person.pk).exists() or pytest.fail(),
    ),
    "person_data_download": Case(
        lambda w: reverse("network:person_data_download", args=[w.nadia_person.pk]), page=_person_page,
        works=lambda w, r: (r.status_code == 200 and w.nadia.email in r.content.decode()
                            and audit_entries(w.nadia_person).filter(action="person.exported").exists())
        or pytest.fail(r.content[:200]),
    ),
    "person_erase": Case(
        lambda w: reverse("network:person_erase", args=[w.nadia_person.pk]), page=_person_page,
        data=lambda w: {"confirm": "on"},
        works=lambda w, r: Person.objects.get(pk=w.nadia_person.pk).erased_at is not None or pytest.fail(),
    ),
}


@pytest.mark.parametrize("name", sorted(NETWORK))
def test_it_asks_again_before_network_actions(world, settings, name):
    _run(world, settings, NETWORK[name])


def _proposal_url(name, state, *extra):
    def url(w):
        if not hasattr(w, "proposal"):
            w.proposal = proposal(w, state)
        return reverse(name, args=["conferencia", w.proposal.pk, *extra])
    return url


def _national_forward(w):
    if not hasattr(w, "proposal"):
        maria, _reg = proposals_delegate(w, "maria@example.org", "María", gathering=w.prep_co)
        w.proposal = proposal(w, "debate", gathering=w.prep_co, author=maria)
        from convoca.proposals import services  # the proposals app's own service, as its tests call it

        services.adopt_proposal(w.carla, w.proposal)
    return reverse("proposals:forward", args=["prep-co", w.proposal.pk])


def _merge_data(w):
    one, two = proposal(w, "admitted"), proposal(w, "admitted", title="Otra")
    return {"proposals": [one.pk, two.pk], "title": "Compuesta", "text": "Texto común.", "theme": "",
            "original_language": "es"}


PROPOSALS = {
    "transition": Case(
        _proposal_url("proposals:transition", "submitted", "admit"), shows_form=True,
        page=lambda w: reverse("proposals:detail", args=["conferencia", w.proposal.pk]),
        works=lambda w, r: Proposal.objects.get(pk=w.proposal.pk).state == "admitted" or pytest.fail(),
    ),
    "forward": Case(
        _national_forward, who="carla", shows_form=True, data=lambda w: {"conference": w.conference.pk},
        works=lambda w, r: Proposal.objects.filter(gathering=w.conference).exists() or pytest.fail(),
    ),
    "merge": Case(
        lambda w: reverse("proposals:merge", args=["conferencia"]), shows_form=True, data=_merge_data,
        works=lambda w, r: Proposal.objects.filter(title="Compuesta").exists() or pytest.fail(),
    ),
    "settings": Case(
        lambda w: reverse("proposals:settings", args=["conferencia"]), shows_form=True,
        data=lambda w: {"submissions_open": "on", "amendment_days": "9", "prefix": "RES"},
        works=lambda w, r: ProposalSettings.objects.get(gathering=w.conference).prefix == "RES" or pytest.fail(),
    ),
}


@pytest.mark.parametrize("name", sorted(PROPOSALS))
def test_it_asks_again_before_proposals_actions(world, settings, name):
    _run(world, settings, PROPOSALS[name])


# --- the API: a browser session (htmx, same-origin pages) must have proved it lately; a token is enough ---------


def _api(path_of, body=lambda w: {}, state=None, check=lambda w, data: True):
    return {"path": path_of, "body": body, "state": state, "check": check}


def _poll_path(make, step=""):
    def path(w):
        if not hasattr(w, "poll"):
            w.poll = make(w)
        return f"/api/v1/polls/{w.poll}{step}"
    return path


API = {
    "voting create": _api(lambda w: "/api/v1/polls", body=lambda w: {"gathering": "conferencia", "title": "Comité"},
                          check=lambda w, data: data["title"] == "Comité"),
    "voting open": _api(_poll_path(_ready_draft, "/open"), check=lambda w, data: data["state"] == "open"),
    "voting close": _api(_poll_path(_open, "/close"), check=lambda w, data: data["state"] == "closed"),
    "voting publish": _api(_poll_path(_counted, "/publish"), check=lambda w, data: data["state"] == "published"),
    "voting annul": _api(_poll_path(_draft, "/annul"), body=lambda w: {"reason": "Texto equivocado"},
                         check=lambda w, data: data["state"] == "annulled"),
    "voting count": _api(_poll_path(_sealed, "/count"), body=lambda w: [{"teller": w.alice.pk, "passphrase": PASSPHRASE}],
                         check=lambda w, data: data["counted"]),
    "gatherings accredit": _api(lambda w: f"/api/v1/registrations/{w.olga_reg.pk}/accredit",
                                check=lambda w, data: data["status"] == "accredited"),
    "gatherings refuse": _api(lambda w: f"/api/v1/registrations/{w.olga_reg.pk}/refuse",
                              body=lambda w: {"reason": "Plazas agotadas"}, check=lambda w, data: data["status"] == "refused"),
    "gatherings mandate": _api(
        lambda w: f"/api/v1/registrations/{gathering_delegate(w, w.conference, w.nadia_person, w.org_co).pk}/mandate",
        body=lambda w: {"confirm": True}, check=lambda w, data: data["mandate"] == "confirmed",
    ),
}


@pytest.mark.parametrize("name", sorted(API))
def test_it_asks_again_before_api_operations(world, settings, name):
    settings.OTP_REAUTH_SECONDS = REAUTH
    case = API[name]
    client = client_for(world.alice)  # the browser's session, as htmx and same-origin pages call the API
    path, body = case["path"](world), case["body"](world)
    _stale(client)
    before = all_rows()
    refused = client.post(path, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required", refused.content
    assert changed_tables(before, all_rows()) == []
    client.post(f"{CONFIRM}?next=/", {"code": totp_code()})  # the code page, as the 403 message says
    done = client.post(path, body, content_type="application/json")
    assert done.status_code in (200, 201), done.content
    assert case["check"](world, done.json()), done.json()
