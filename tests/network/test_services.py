"""The service functions used by views, API, imports and CLI."""

import pytest
from django.db import transaction

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.network import services
from convoca.network.models import Membership, Organisation, Person, Sector, Visibility

from .helpers import snapshot

ORG = {"name": "Frente Amplio Sindical", "country": "co", "sector": Sector.TRADE_UNION}


def refused(call, *args, **kwargs):
    """Assert the call raises a ServiceError and writes nothing; return it."""
    before = snapshot()
    with pytest.raises(ServiceError) as info:
        call(*args, **kwargs)
    assert snapshot() == before
    return info.value


class TestOrganisations:
    def test_it_creates_an_organisation_with_a_normalised_country(self, world):
        organisation = services.create_organisation(world.alice, **ORG, website="https://fas.co")
        assert organisation.pk and organisation.country.code == "CO" and organisation.name_key == "frente amplio sindical"
        assert organisation.is_public is False

    def test_it_accepts_alpha3_codes(self, world):
        assert services.create_organisation(world.alice, **{**ORG, "country": "BRA"}).country.code == "BR"

    @pytest.mark.parametrize("name", ["sindicato andino", "SINDICATO ANDINO", "Sindicáto Ándino", " Sindicato   Andino "])
    def test_it_refuses_a_duplicate_whatever_the_case_or_accents(self, world, name):
        error = refused(services.create_organisation, world.alice, name=name, country="CO", sector=Sector.OTHER)
        assert error.field == "name" and error.code == "duplicate"

    @pytest.mark.parametrize(
        "bad, field",
        [
            ({"name": ""}, "name"), ({"name": None}, "name"), ({"name": "x" * 201}, "name"),
            ({"country": "ZZ"}, "country"), ({"country": "XYZ"}, "country"), ({"country": ""}, "country"),
            ({"country": None}, "country"), ({"country": "Colombia"}, "country"), ({"country": "1"}, "country"),
            ({"country": "çø"}, "country"),
            ({"sector": "bakery"}, "sector"), ({"sector": ""}, "sector"), ({"sector": None}, "sector"),
            ({"website": "javascript:alert(1)"}, "website"), ({"website": "ftp://x.org"}, "website"),
            ({"website": "www.example.org"}, "website"), ({"website": "https://" + "a" * 200 + ".org"}, "website"),
            ({"is_public": "yes"}, "is_public"),
        ],
    )
    def test_it_rejects_bad_input(self, world, bad, field):
        error = refused(services.create_organisation, world.alice, **{**ORG, **bad})
        assert error.field == field and error.status == 400 and str(error.message)

    def test_it_lets_committee_members_register_only_in_their_country(self, world):
        assert services.create_organisation(world.carla, **ORG).country.code == "CO"
        error = refused(services.create_organisation, world.carla, **{**ORG, "country": "MX"})
        assert isinstance(error, PermissionDenied) and error.status == 403

    @pytest.mark.parametrize("who", ["bob", "olga", "tomas", "nadia", "anonymous"])
    def test_it_refuses_people_without_a_role(self, world, who):
        from django.contrib.auth.models import AnonymousUser

        user = world.users[who] or AnonymousUser()
        assert isinstance(refused(services.create_organisation, user, **ORG), PermissionDenied)

    def test_it_refuses_a_missing_user(self, world):
        assert isinstance(refused(services.create_organisation, None, **ORG), PermissionDenied)

    def test_it_updates_only_the_given_fields(self, world):
        services.update_organisation(world.carla, world.org_co, website="https://andino.co", is_public=False)
        world.org_co.refresh_from_db()
        assert world.org_co.website == "https://andino.co" and world.org_co.is_public is False
        assert world.org_co.name == "Sindicato Andino" and world.org_co.contact == world.carla_person

    def test_it_refuses_a_committee_member_of_another_country(self, world):
        error = refused(services.update_organisation, world.marco, world.org_co, name="Otro")
        assert isinstance(error, PermissionDenied)

    def test_it_refuses_moving_an_organisation_to_a_country_one_does_not_handle(self, world):
        assert isinstance(refused(services.update_organisation, world.carla, world.org_co, country="MX"), PermissionDenied)
        services.update_organisation(world.alice, world.org_co, country="PE")
        assert Organisation.objects.get(pk=world.org_co.pk).country.code == "PE"

    def test_it_refuses_a_rename_that_collides(self, world):
        Organisation.objects.create(name="Red Migrante", country="CO", sector=Sector.OTHER)
        error = refused(services.update_organisation, world.alice, world.org_co, name="RED migránte")
        assert error.code == "duplicate"
        world.org_co.refresh_from_db()
        assert world.org_co.name == "Sindicato Andino"

    def test_it_allows_renaming_an_organisation_to_another_case_of_itself(self, world):
        services.update_organisation(world.alice, world.org_co, name="SINDICATO ANDINO")
        assert Organisation.objects.get(pk=world.org_co.pk).name == "SINDICATO ANDINO"

    def test_it_lets_only_coordinators_set_the_contact(self, world):
        assert isinstance(
            refused(services.update_organisation, world.carla, world.org_co, contact=world.nadia_person), PermissionDenied
        )
        services.update_organisation(world.carla, world.org_co, contact=world.carla_person)  # unchanged: allowed
        services.update_organisation(world.alice, world.org_co, contact=world.nadia_person)
        assert Organisation.objects.get(pk=world.org_co.pk).contact == world.nadia_person

    def test_it_refuses_unknown_fields(self, world):
        with pytest.raises(TypeError):
            services.update_organisation(world.alice, world.org_co, name_key="x")

    def test_it_rolls_back_with_the_callers_transaction(self, world):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.create_organisation(world.alice, **ORG)
            raise RuntimeError
        assert not Organisation.objects.filter(name="Frente Amplio Sindical").exists()


class TestPeople:
    def test_it_creates_a_private_person_by_default(self, world):
        person = services.create_person(world.alice, display_name="Rosa", email=" Rosa@Example.ORG ")
        assert person.email == "rosa@example.org"
        assert all(getattr(person, f"{f}_visibility") == Visibility.COORDINATORS for f in Person.VISIBLE_FIELDS)

    @pytest.mark.parametrize(
        "languages, stored",
        [
            (["es", "PT", "es"], "es,pt"),
            ("es, pt_BR; qu  gn", "es,pt-br,qu,gn"),
            ([], ""), ("", ""), (None, ""),
        ],
    )
    def test_it_normalises_languages(self, world, languages, stored):
        assert services.create_person(world.alice, display_name="Rosa", languages=languages).languages == stored

    @pytest.mark.parametrize(
        "bad, field",
        [
            ({"display_name": ""}, "display_name"), ({"display_name": "x" * 121}, "display_name"),
            ({"full_name": "x" * 201}, "full_name"),
            ({"email": "rosa"}, "email"), ({"email": "rosa@@example.org"}, "email"), ({"email": "a@b"}, "email"),
            ({"email": "BOB@EXAMPLE.ORG"}, "email"), ({"email": "x" * 250 + "@example.org"}, "email"),
            ({"languages": ["español"]}, "languages"), ({"languages": ["e"]}, "languages"),
            ({"languages": ["es-"]}, "languages"), ({"languages": ["ab"] * 0 + [f"l{i:02}" for i in range(30)]}, "languages"),
            ({"display_name_visibility": "all"}, "display_name_visibility"),
            ({"memberships_visibility": None}, "memberships_visibility"),
            ({"organisations": [99999]}, "organisations"), ({"organisations": ["x"]}, "organisations"),
        ],
    )
    def test_it_rejects_bad_input(self, world, bad, field):
        error = refused(services.create_person, world.alice, **{"display_name": "Rosa", **bad})
        assert error.field == field

    def test_it_refuses_non_coordinators(self, world):
        for user in (world.carla, world.bob, world.nadia):
            assert isinstance(refused(services.create_person, user, display_name="Rosa"), PermissionDenied)

    def test_it_sets_memberships_by_instance_or_id(self, world):
        person = services.create_person(world.alice, display_name="Rosa", organisations=[world.org_co, world.org_mx.pk])
        assert set(person.organisations.all()) == {world.org_co, world.org_mx}
        services.update_person(world.alice, person, organisations=[world.org_mx])
        assert list(person.organisations.all()) == [world.org_mx]

    def test_it_lets_a_person_change_their_own_names_and_visibility(self, world):
        services.update_person(
            world.bob, world.bob_person, display_name="Bob D.", email_visibility="members",
            email="BOB@example.org", organisations=[world.org_co],  # unchanged values are fine
        )
        world.bob_person.refresh_from_db()
        assert world.bob_person.display_name == "Bob D." and world.bob_person.email_visibility == "members"

    def test_it_refuses_a_person_changing_their_own_email_or_memberships(self, world):
        assert isinstance(refused(services.update_person, world.bob, world.bob_person, email="b@example.org"), PermissionDenied)
        assert isinstance(
            refused(services.update_person, world.bob, world.bob_person, organisations=[world.org_mx]), PermissionDenied
        )

    def test_it_refuses_changing_someone_else(self, world):
        assert isinstance(refused(services.update_person, world.nadia, world.bob_person, display_name="X"), PermissionDenied)

    def test_it_refuses_a_taken_email_on_update_in_another_case(self, world):
        error = refused(services.update_person, world.alice, world.olga_person, email="Nadia@Example.org")
        assert error.field == "email" and error.code == "duplicate"

    def test_it_manages_memberships_idempotently(self, world):
        first = services.add_membership(world.alice, world.nadia_person, world.org_mx)
        assert services.add_membership(world.alice, world.nadia_person, world.org_mx) == first
        assert services.remove_membership(world.alice, world.nadia_person, world.org_mx) is True
        assert services.remove_membership(world.alice, world.nadia_person, world.org_mx) is False
        assert isinstance(
            refused(services.add_membership, world.carla, world.nadia_person, world.org_co), PermissionDenied
        )
        assert isinstance(
            refused(services.remove_membership, world.bob, world.bob_person, world.org_co), PermissionDenied
        )
        assert Membership.objects.filter(person=world.bob_person, organisation=world.org_co).exists()


class TestCommittees:
    def test_it_creates_one_committee_per_country(self, world):
        committee = services.create_committee(world.alice, "br")
        assert committee.country.code == "BR"
        assert refused(services.create_committee, world.alice, "BR").code == "duplicate"
        assert refused(services.create_committee, world.alice, "co").field == "country"

    @pytest.mark.parametrize("country", ["ZZ", "", None, "Brasil"])
    def test_it_rejects_unknown_countries(self, world, country):
        assert refused(services.create_committee, world.alice, country).field == "country"

    def test_it_refuses_non_coordinators(self, world):
        assert isinstance(refused(services.create_committee, world.carla, "BR"), PermissionDenied)
        assert isinstance(
            refused(services.add_committee_member, world.carla, world.committee_co, world.nadia_person), PermissionDenied
        )
        assert isinstance(
            refused(services.remove_committee_member, world.carla, world.committee_co, world.carla_person), PermissionDenied
        )

    def test_it_adds_and_removes_members_idempotently(self, world):
        services.add_committee_member(world.alice, world.committee_co, world.nadia_person)
        services.add_committee_member(world.alice, world.committee_co, world.nadia_person)
        assert set(world.committee_co.members.all()) == {world.carla_person, world.nadia_person}
        assert services.remove_committee_member(world.alice, world.committee_co, world.nadia_person) is True
        assert services.remove_committee_member(world.alice, world.committee_co, world.nadia_person) is False
        assert refused(services.add_committee_member, world.alice, world.committee_co, None).field == "person"

    def test_it_gives_a_new_committee_member_the_right_to_register_organisations(self, world):
        committee = services.create_committee(world.alice, "BR")
        services.add_committee_member(world.alice, committee, world.nadia_person)
        from convoca.accounts.models import User

        nadia = User.objects.get(pk=world.nadia.pk)  # a fresh request
        assert services.create_organisation(nadia, name="MST", country="BR", sector=Sector.SOCIAL_MOVEMENT).pk
