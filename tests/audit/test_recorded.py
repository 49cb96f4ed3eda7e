"""Every privileged action lands in the one audit trail: who (an account
number), what (an action code), where (the gathering), on what (a model and a
number), and nothing more: no name, no email, no reason written about
someone, no token."""

import pytest
from django.utils import timezone

from convoca.accounts import services as accounts
from convoca.audit.models import Entry
from convoca.core.errors import ServiceError
from convoca.gatherings import services as gatherings
from convoca.gatherings.models import Registration
from convoca.imports import services as imports
from convoca.network import services as network
from tests.gatherings.helpers import delegate, observer
from tests.imports.helpers import csv_bytes
from tests.voting.helpers import add_delegate


def trail():
    return list(Entry.objects.order_by("pk").values_list("action", "actor_id", "gathering_id", "target_type",
                                                        "target_id", "note"))


def personal_values(world):
    people = [world.alice_person, world.bob_person, world.carla_person, world.olga_person, world.nadia_person]
    return [value for person in people for value in (person.display_name, person.email)]


def test_it_records_accreditation_refusal_mandates_badges_and_check_in(world):
    w = world
    reg = delegate(w, w.prep_co, w.nadia_person, w.org_co)
    gatherings.confirm_mandate(w.carla, reg)
    gatherings.reject_mandate(w.alice, reg)
    gatherings.confirm_mandate(w.alice, reg)
    gatherings.accredit(w.carla, reg)
    gatherings.accredit(w.carla, reg)  # a retry changes nothing and records nothing
    gatherings.revoke_badge(w.alice, reg)
    gatherings.reissue_badge(w.alice, reg)
    reg.refresh_from_db()
    gatherings.check_in(w.carla, w.prep_co, gatherings.badge_token(reg))
    gatherings.refuse(w.alice, reg, "Nadia's papers from the consulate are missing")
    target = ("gatherings.registration", str(reg.pk))
    assert trail() == [
        ("mandate.confirmed", w.carla.pk, w.prep_co.pk, *target, ""),
        ("mandate.rejected", w.alice.pk, w.prep_co.pk, *target, ""),
        ("mandate.confirmed", w.alice.pk, w.prep_co.pk, *target, ""),
        ("registration.accredited", w.carla.pk, w.prep_co.pk, *target, ""),
        ("badge.revoked", w.alice.pk, w.prep_co.pk, *target, ""),
        ("badge.reissued", w.alice.pk, w.prep_co.pk, *target, ""),
        ("registration.checked_in", w.carla.pk, w.prep_co.pk, *target, ""),
        ("registration.refused", w.alice.pk, w.prep_co.pk, *target, ""),  # the reason stays off the trail
    ]


def test_it_records_nothing_when_a_service_refuses(world):
    w = world
    reg = observer(w.prep_co, w.olga_person)
    with pytest.raises(ServiceError):
        gatherings.refuse(w.alice, reg, "")
    with pytest.raises(ServiceError):
        gatherings.accredit(w.marco, reg)  # another country's committee
    assert trail() == []


def test_it_records_gatherings_created_and_changed_with_the_fields_not_their_values(world):
    w = world
    created = gatherings.create_gathering(w.alice, kind="preparatory", slug="prep-pe", title="Encuentro Perú",
                                          country="PE", starts_on=w.today, ends_on=w.today, place="Lima")
    gatherings.update_gathering(w.alice, created, place="Lima secreta", title="Encuentro del Perú")
    assert trail() == [
        ("gathering.created", w.alice.pk, created.pk, "gatherings.gathering", str(created.pk), ""),
        ("gathering.changed", w.alice.pk, created.pk, "gatherings.gathering", str(created.pk), "place, title"),
    ]


def test_it_records_an_import_once_confirmed(world):
    w = world
    rows = csv_bytes([["nombre", "correo"], ["Rosa Secreta", "rosa@example.org"]])
    _preview, batch = imports.stage_import(w.alice, "people", rows)
    assert trail() == []  # staged: nothing imported yet
    imports.confirm_import(w.alice, batch)
    imports.confirm_import(w.alice, batch)  # a double click imports once and records once
    imported = [row for row in trail() if row[0] == "import.confirmed"]
    assert imported == [("import.confirmed", w.alice.pk, None, "imports.importbatch", str(batch.pk), "people")]
    assert "rosa" not in str(trail()).lower()


def test_it_records_invitations_and_tokens_but_never_the_token_or_the_address(world):
    w = world
    invitation = accounts.invite(w.alice, "new.person@example.org", "coordinator")
    accounts.revoke_invitation(w.alice, invitation.pk)
    accounts.revoke_invitation(w.alice, invitation.pk)  # idempotent: recorded once
    token, raw = accounts.create_api_token(w.bob, "sync")
    accounts.revoke_api_token(w.bob, token.pk)
    assert trail() == [
        ("invitation.sent", w.alice.pk, None, "accounts.invitation", str(invitation.pk), "coordinator"),
        ("invitation.revoked", w.alice.pk, None, "accounts.invitation", str(invitation.pk), ""),
        ("token.created", w.bob.pk, None, "accounts.apitoken", str(token.pk), ""),
        ("token.revoked", w.bob.pk, None, "accounts.apitoken", str(token.pk), ""),
    ]
    assert raw not in str(trail()) and raw[:8] not in str(trail()) and "new.person" not in str(trail())


def test_it_records_what_coordinators_change_in_the_registry_but_not_a_person_editing_themselves(world):
    w = world
    org = network.create_organisation(w.carla, name="Colectivo Andino", country="CO", sector="social_movement")
    network.update_organisation(w.carla, org, website="https://colectivo.example.org")
    person = network.create_person(w.alice, display_name="Rosa", email="rosa@example.org")
    network.update_person(w.alice, person, full_name="Rosa Secreta Pérez", organisations=[org])
    network.update_person(w.alice, person, full_name="Rosa Secreta Pérez")  # nothing changed: nothing recorded
    network.update_person(w.bob, w.bob_person, full_name="Bob Delegado Ruiz", shown_as="pseudonym", pseudonym="B.")
    network.remove_membership(w.alice, person, org)
    network.add_membership(w.alice, person, org)
    committee = network.create_committee(w.alice, "PE")
    network.add_committee_member(w.alice, committee, person)
    network.add_committee_member(w.alice, committee, person)  # already on it: nothing recorded
    network.remove_committee_member(w.alice, committee, person)
    person_ref = ("network.person", str(person.pk))
    assert trail() == [
        ("organisation.created", w.carla.pk, None, "network.organisation", str(org.pk), ""),
        ("organisation.changed", w.carla.pk, None, "network.organisation", str(org.pk), "website"),
        ("person.created", w.alice.pk, None, *person_ref, ""),
        ("person.changed", w.alice.pk, None, *person_ref, "full_name, organisations"),
        ("membership.removed", w.alice.pk, None, *person_ref, f"organisation {org.pk}"),
        ("membership.added", w.alice.pk, None, *person_ref, f"organisation {org.pk}"),
        ("committee.created", w.alice.pk, None, "network.nationalcommittee", str(committee.pk), "PE"),
        ("committee.member_added", w.alice.pk, None, *person_ref, "PE"),
        ("committee.member_removed", w.alice.pk, None, *person_ref, "PE"),
    ]
    assert "Secreta" not in str(trail()) and "rosa@" not in str(trail())


def test_it_records_proxies_and_poll_steps_in_the_same_trail(world):
    from convoca.voting import services as voting

    w = world
    _user, other = add_delegate(w, "dana@example.org", "Dana Delegada")
    proxy = voting.give_proxy(w.bob, w.conference, other)
    voting.revoke_proxy(w.bob, proxy)
    poll = voting.create_poll(w.alice, w.conference, title="Q", kind="yes_no", secrecy="named")
    assert [row[:5] for row in trail()] == [
        ("proxy.given", w.bob.pk, w.conference.pk, "voting.proxy", str(proxy.pk)),
        ("proxy.revoked", w.bob.pk, w.conference.pk, "voting.proxy", str(proxy.pk)),
        ("poll.created", w.alice.pk, w.conference.pk, "voting.poll", str(poll.pk)),
    ]


def test_it_holds_no_personal_value_anywhere(world):
    w = world
    reg = Registration.objects.get(pk=w.bob_reg.pk)
    gatherings.revoke_badge(w.alice, reg)
    network.update_person(w.alice, w.nadia_person, display_name="Nadia Nueva", email="nadia.new@example.org")
    export = network.export_person_data(w.nadia, w.nadia_person)
    assert export["data"]["network"]["person"]["email"] == "nadia.new@example.org"
    text = " ".join(" ".join(str(v) for v in row) for row in Entry.objects.values_list())
    assert not [value for value in personal_values(w) + ["Nadia Nueva", "nadia.new"] if value in text]
    assert Entry.objects.filter(at__lte=timezone.now()).count() == 3
