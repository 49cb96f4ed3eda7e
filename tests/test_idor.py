"""Guessed identifiers (issue 10): a role of one gathering or country that
tries another's ids (registrations and their badges and decisions, proposals
in draft, proxies, persons' data pages, staged imports, the translators'
editor of a draft) gets exactly what a missing id gets: the 404 page or a
JSON 404, never a 403 that confirms the row exists, and never its data.

Each case is tried with the real id and with an id that does not exist; both
answers must be 404 and the page must not contain what the row holds.
Objects that every member may see (a gathering, a poll, a committee) are not
secrets: refusing a restricted page of one of them (a poll's audit) is a 403
as the house's ``get_for_user`` makes it, and that page shows none of the
restricted data (``test_a_visible_poll_shows_its_audit_to_its_managers_only``).
"""

import uuid

import pytest
from django.urls import reverse

from convoca.gatherings.models import Registration
from convoca.imports import services as imports
from convoca.voting import services as voting
from convoca.voting.models import Proxy
from tests.database import all_rows, changed_tables
from tests.fixtures import client_for, make_user
from tests.proposals.helpers import delegate, proposal
from tests.voting.helpers import add_delegate

MISSING = 987654321
SECRET_NAME = "Mario Secreto Vázquez"
DRAFT_TITLE = "Borrador confidencial de Bob"


@pytest.fixture
def rows(world):
    """What one gathering or person keeps from the others."""
    w = world
    _user, mario = make_user("mario@example.org", SECRET_NAME)
    w.mx_reg = Registration.objects.create(  # a delegate at the Mexican meeting: marco's committee decides
        gathering=w.prep_mx, person=mario, role=Registration.Role.DELEGATE, organisation=w.org_mx,
        mandate=Registration.Mandate.CONFIRMED, status=Registration.Status.ACCREDITED,
    )
    w.draft = proposal(w, "draft", title=DRAFT_TITLE)  # bob's draft: only bob sees it
    w.maria, _reg = delegate(w, "maria@example.org", "María Delegada")  # another delegate at the conference
    _dora, dora = add_delegate(w, "dora@example.org", "Dora Delegada", w.org_mx)
    w.proxy = Proxy.objects.create(gathering=w.conference, giver=dora, holder=w.bob_reg)
    _preview, w.batch = imports.stage_import(
        w.alice, "organisations", "nombre;país;sector\nColectivo Oculto;Perú;sindicato\n".encode(), filename="o.csv",
    )
    w.renata, _person = make_user("renata@example.org", "Renata Coordinadora", is_coordinator=True)
    return w


def _reg_url(name):
    def url(w, pk=None):
        reg = w.mx_reg
        return reverse(name, args=[reg.gathering.slug, pk or reg.pk])
    return url


def _reg_url_own_slug(name):
    """carla's own meeting in the path, the Mexican registration's id after it."""
    return lambda w, pk=None: reverse(name, args=[w.prep_co.slug, pk or w.mx_reg.pk])


def _of(attr, name):
    def url(w, pk=None):
        reg = getattr(w, attr)
        return reverse(name, args=[reg.gathering.slug, pk or reg.pk])
    return url


def _draft(name, *extra):
    return lambda w, pk=None: reverse(name, args=["conferencia", pk or w.draft.pk, *extra])


# (who, method, url(w, pk=None), what must not show)
CASES = {
    # gatherings: another country's registrations, a registration under one's own meeting's path, other people's badges
    "carla: MX registration": ("carla", "get", _reg_url("gatherings:registration"), SECRET_NAME),
    "carla: MX registration under prep-co": ("carla", "get", _reg_url_own_slug("gatherings:registration"), SECRET_NAME),
    "carla: refuse an MX registration": ("carla", "get", _reg_url("gatherings:refuse"), SECRET_NAME),
    "carla: accredit an MX registration": ("carla", "post", _reg_url("gatherings:accredit"), SECRET_NAME),
    "carla: decide an MX mandate": ("carla", "post", _reg_url("gatherings:mandate"), SECRET_NAME),
    "carla: MX badge": ("carla", "get", _reg_url("gatherings:badge"), SECRET_NAME),
    "carla: revoke an MX badge": ("carla", "post", _reg_url("gatherings:revoke_badge"), SECRET_NAME),
    "carla: reissue an MX badge": ("carla", "post", _reg_url("gatherings:reissue_badge"), SECRET_NAME),
    "bob: olga's registration": ("bob", "get", _of("olga_reg", "gatherings:registration"), "Olga Observadora"),
    "olga: bob's badge": ("olga", "get", _of("bob_reg", "gatherings:badge"), "Bob Delegado"),
    "nadia: bob's badge": ("nadia", "get", _of("bob_reg", "gatherings:badge"), "Bob Delegado"),
    "marco: revoke bob's badge": ("marco", "post", _of("bob_reg", "gatherings:revoke_badge"), "Bob Delegado"),
    # proposals: bob's draft, as another delegate, a committee member, the translator, a member
    "maria: bob's draft": ("maria", "get", _draft("proposals:detail"), DRAFT_TITLE),
    "carla: bob's draft": ("carla", "get", _draft("proposals:detail"), DRAFT_TITLE),
    "nadia: history of bob's draft": ("nadia", "get", _draft("proposals:history"), DRAFT_TITLE),
    "maria: edit bob's draft": ("maria", "get", _draft("proposals:edit"), DRAFT_TITLE),
    "maria: amend bob's draft": ("maria", "get", _draft("proposals:amend"), DRAFT_TITLE),
    "maria: support bob's draft": ("maria", "post", _draft("proposals:support"), DRAFT_TITLE),
    "maria: submit bob's draft": ("maria", "post", _draft("proposals:transition", "submit"), DRAFT_TITLE),
    # voting: a proxy between two other delegates
    "maria: revoke dora's proxy": ("maria", "post", lambda w, pk=None: reverse("voting:proxy_revoke", args=[pk or w.proxy.pk]),
                                   "Dora Delegada"),
    # network: another person's data page, download and erasure
    "carla: bob's data": ("carla", "get", lambda w, pk=None: reverse("network:person_data", args=[pk or w.bob_person.pk]),
                          "bob@example.org"),
    "carla: bob's download": ("carla", "post",
                              lambda w, pk=None: reverse("network:person_data_download", args=[pk or w.bob_person.pk]),
                              "bob@example.org"),
    "bob: erase olga": ("bob", "post", lambda w, pk=None: reverse("network:person_erase", args=[pk or w.olga_person.pk]),
                        "olga@example.org"),
    # imports: another coordinator's staged import
    "renata: alice's import": ("renata", "get", lambda w, pk=None: reverse("imports:preview", args=[pk or w.batch.pk]),
                               "Colectivo Oculto"),
    "renata: confirm alice's import": ("renata", "post",
                                       lambda w, pk=None: reverse("imports:confirm", args=[pk or w.batch.pk]),
                                       "Colectivo Oculto"),
    # texts: the translators' editor of a draft the proposals app keeps out of the queue
    "tomas: translate bob's draft": ("tomas", "get", lambda w, pk=None: reverse(
        "texts:edit", args=["proposals.proposal", pk or w.draft.pk, "fr"]), DRAFT_TITLE),
    "tomas: save a translation of bob's draft": ("tomas", "post", lambda w, pk=None: reverse(
        "texts:edit", args=["proposals.proposal", pk or w.draft.pk, "fr"]), DRAFT_TITLE),
}


def _missing(w, name):
    """An id of the same kind that no row has."""
    return uuid.uuid4() if name.startswith("renata") else MISSING


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_guessed_id_answers_like_a_missing_one(rows, name):
    who, method, url, secret = CASES[name]
    client = client_for(getattr(rows, who))
    before = all_rows()
    guessed = getattr(client, method)(url(rows))
    missing = getattr(client, method)(url(rows, _missing(rows, name)))
    assert (guessed.status_code, missing.status_code) == (404, 404), (guessed.status_code, missing.status_code)
    assert secret not in guessed.content.decode()
    assert changed_tables(before, all_rows()) == []


# The API answers the same way.
API_CASES = {
    "carla: accredit an MX registration": ("carla", "post", lambda w, pk=None: f"/api/v1/registrations/{pk or w.mx_reg.pk}/accredit"),
    "carla: refuse an MX registration": ("carla", "post", lambda w, pk=None: f"/api/v1/registrations/{pk or w.mx_reg.pk}/refuse"),
    "maria: bob's draft": ("maria", "get", lambda w, pk=None: f"/api/v1/proposals/{pk or w.draft.pk}"),
    "maria: edit bob's draft": ("maria", "post", lambda w, pk=None: f"/api/v1/proposals/{pk or w.draft.pk}/edit"),
    "maria: revoke dora's proxy": ("maria", "post", lambda w, pk=None: f"/api/v1/proxies/{pk or w.proxy.pk}/revoke"),
    "tomas: versions of bob's draft": ("tomas", "get", lambda w, pk=None: f"/api/v1/translations/proposals.proposal/{pk or w.draft.pk}"),
    "tomas: translate bob's draft": ("tomas", "put", lambda w, pk=None: f"/api/v1/translations/proposals.proposal/{pk or w.draft.pk}/fr"),
}


@pytest.mark.parametrize("name", sorted(API_CASES))
def test_the_api_answers_a_guessed_id_like_a_missing_one(rows, name):
    who, method, path = API_CASES[name]
    client = client_for(getattr(rows, who))
    before = all_rows()
    guessed = getattr(client, method)(path(rows), {}, content_type="application/json")
    missing = getattr(client, method)(path(rows, MISSING), {}, content_type="application/json")
    assert (guessed.status_code, missing.status_code) == (404, 404), (guessed.content, missing.content)
    assert guessed.json()["detail"] == missing.json()["detail"]
    assert changed_tables(before, all_rows()) == []


def test_a_visible_poll_shows_its_audit_to_its_managers_only(rows):
    """Every member sees the polls; only their gathering's managers read the audit (who did what when)."""
    w = rows
    poll = voting.create_poll(w.marco, w.prep_mx, title="Encuesta del comité mexicano", kind="yes_no")
    page = reverse("voting:audit", args=[poll.pk])
    marco = client_for(w.marco).get(page)
    assert marco.status_code == 200 and "Marco Comité" in marco.content.decode()
    for who in ("carla", "bob", "nadia", "tomas"):
        response = client_for(getattr(w, who)).get(page)
        assert response.status_code == 403 and "Marco Comité" not in response.content.decode(), who
        api = client_for(getattr(w, who)).get(f"/api/v1/polls/{poll.pk}/audit")
        assert api.status_code == 403 and "actor" not in api.content.decode(), who
