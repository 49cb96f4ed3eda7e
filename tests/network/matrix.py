"""Expected status per role for every page of the coalition registry.

Reminders (tests/fixtures.py): org_mx is members-only, org_co is public; every
person's fields default to "coordinators only", so another member's page is a
404 (a hidden person is indistinguishable from one that does not exist)."""

MEMBERS_ONLY = {"anonymous": 302, "*": 200}
COORDINATORS_ONLY = {"anonymous": 302, "alice": 200, "*": 403}

MATRIX = {
    "network:organisations": {"expect": {"*": 200}},
    "network:organisation": {"args": lambda w: [w.org_mx.pk], "expect": {"anonymous": 404, "*": 200}},
    "network:organisation_create": {
        "expect": {"anonymous": 302, "alice": 200, "carla": 200, "marco": 200, "*": 403},
    },
    "network:organisation_edit": {
        "args": lambda w: [w.org_co.pk],
        "expect": {"anonymous": 302, "alice": 200, "carla": 200, "*": 403},
    },
    "network:people": {"expect": MEMBERS_ONLY},
    # downloads of the lists: coordinators, and committees (their country's rows)
    "network:people_export": {
        "method": "post", "data": lambda w: {"format": "csv"},
        "expect": {"anonymous": 302, "alice": 200, "carla": 200, "marco": 200, "*": 403},
    },
    "network:organisations_export": {
        "method": "post", "data": lambda w: {"format": "csv"},
        "expect": {"anonymous": 302, "alice": 200, "carla": 200, "marco": 200, "*": 403},
    },
    "network:person": {
        "args": lambda w: [w.bob_person.pk],
        "expect": {"anonymous": 302, "alice": 200, "bob": 200, "*": 404},
    },
    "network:person_create": {"expect": COORDINATORS_ONLY},
    "network:person_edit": {
        "args": lambda w: [w.bob_person.pk],
        "expect": {"anonymous": 302, "alice": 200, "bob": 200, "*": 404},
    },
    # Data rights: the person and coordinators; to everyone else the person is hidden (404).
    "network:person_data": {
        "args": lambda w: [w.bob_person.pk],
        "expect": {"anonymous": 302, "alice": 200, "bob": 200, "*": 404},
    },
    "network:person_data_download": {
        "args": lambda w: [w.bob_person.pk],
        "method": "post",
        "data": lambda w: {},
        "expect": {"anonymous": 302, "alice": 200, "bob": 200, "*": 404},
    },
    "network:person_erase": {  # without the confirmation ticked: the form again, nothing erased
        "args": lambda w: [w.bob_person.pk],
        "method": "post",
        "data": lambda w: {},
        "expect": {"anonymous": 302, "alice": 400, "bob": 400, "*": 404},
    },
    "network:my_data": {"expect": {"*": 302}},
    "network:committees": {"expect": MEMBERS_ONLY},
    "network:committee": {"args": lambda w: ["CO"], "expect": MEMBERS_ONLY},
    "network:committee_create": {"expect": COORDINATORS_ONLY},
    "network:committee_member_add": {
        "args": lambda w: ["CO"],
        "method": "post",
        "data": lambda w: {"person": w.nadia_person.email},
        "expect": {"anonymous": 302, "alice": 302, "*": 403},
    },
    "network:committee_member_remove": {
        "args": lambda w: ["CO", w.carla_person.pk],
        "method": "post",
        "data": lambda w: {},
        "expect": {"anonymous": 302, "alice": 302, "*": 403},
    },
    # Joining an organisation (issue 11): any member asks; a request is decided by the organisation's contact, its
    # country's committee or a coordinator (the first, alice, acts; to the others it is no longer there: 404).
    "network:join": {"expect": MEMBERS_ONLY},
    "network:join_requests": {"expect": MEMBERS_ONLY},
    "network:join_request_decide": {
        "args": lambda w: [_join_request(w)], "method": "post", "data": lambda w: {"decision": "accept"},
        "expect": {"anonymous": 302, "alice": 302, "*": 404},
    },
    # The unsubscribe link of a message to participants: the signed link is the proof, no login.
    "network:unsubscribe": {"args": lambda w: [_unsubscribe_token(w)], "expect": {"*": 200}},
}


def _join_request(w):
    from convoca.network.models import JoinRequest

    return JoinRequest.objects.get_or_create(person=w.tomas_person, organisation=w.org_mx, country="MX")[0].pk


def _unsubscribe_token(w):
    from convoca.network.mail import unsubscribe_token

    return unsubscribe_token(w.olga_person)
