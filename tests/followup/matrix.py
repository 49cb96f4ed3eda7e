"""Role x expected status for every URL of the follow-up. An adopted resolution of the conference has its
record, assigned to a working group coordinated by bob. The accountability page and each record are public;
the groups are for members, a group's page for its members and the coordinators."""

from tests.followup.helpers import resolution

LOGIN = 302


def _item(w):
    cache = w.__dict__.setdefault("_followup", {})
    if not cache:
        cache["item"] = resolution(w)
    return cache["item"]


def _slug(w):
    _item(w)
    return ["conferencia"]


def _item_args(w):
    return ["conferencia", _item(w).pk]


def _group_args(w):
    return ["conferencia", _item(w).group_id]


MATRIX = {
    "followup:accountability": {"args": _slug, "expect": {"*": 200}},
    "followup:resolution": {"args": _item_args, "expect": {"*": 200}},
    "followup:assign": {"args": _item_args, "method": "post", "data": lambda w: {"group": _item(w).group_id},
                        "expect": {"anonymous": LOGIN, "alice": 302, "*": 403}},
    "followup:groups": {"args": _slug, "expect": {"anonymous": LOGIN, "*": 200}},
    "followup:group": {"args": _group_args, "expect": {"anonymous": LOGIN, "alice": 200, "bob": 200, "*": 403}},
    "followup:add_member": {"args": _group_args, "method": "post", "data": lambda w: {"user": w.olga.pk},
                            "expect": {"anonymous": LOGIN, "alice": 302, "*": 403}},
    "followup:add_meeting": {"args": _group_args, "method": "post",
                             "data": lambda w: {"title": "Reunión", "starts_at": "2027-01-10 10:00"},
                             "expect": {"anonymous": LOGIN, "alice": 302, "bob": 302, "*": 403}},
}
