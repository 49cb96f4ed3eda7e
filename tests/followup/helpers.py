"""Shared builders of the follow-up tests: an adopted resolution with its implementation record and a working
group (bob a member) responsible for it."""

from convoca.followup import services
from convoca.followup.models import Implementation, Meeting, Member, Update, WorkingGroup
from tests.proposals.helpers import proposal


def resolution(world, group=True, **changes):
    adopted = proposal(world, state="adopted", **changes)
    services.ensure_implementations(world.conference)
    item = Implementation.objects.get(proposal=adopted)
    if group:
        found = services.create_group(world.alice, world.conference, name="Grupo de migración", country="CO",
                                      coordinator=world.bob)
        services.assign(world.alice, item, found)
    return item


def snapshot():
    return [list(model.objects.order_by("pk").values()) for model in (WorkingGroup, Member, Meeting, Implementation,
                                                                       Update)]
