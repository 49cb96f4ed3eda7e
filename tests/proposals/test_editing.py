"""Editing with optimistic versioning: every change of text is a version; an edit racing another never
loses either (the second gets a conflict and writes nothing); history diffs any two versions."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.proposals import queries, services
from convoca.proposals.models import Version

from .helpers import TEXT, proposal, snapshot


def test_each_edit_is_a_new_version(world):
    p = proposal(world)
    services.edit_proposal(world.bob, p, title="Jornada del 1.º de mayo", text=TEXT + "\n\nNuevo párrafo.", base_version=1)
    p.refresh_from_db()
    assert p.version == 2
    versions = list(Version.objects.filter(proposal=p).values_list("number", "reason", "title"))
    assert versions == [(1, "created", "Jornada continental del 1.º de mayo"), (2, "edited", "Jornada del 1.º de mayo")]


def test_an_edit_racing_another_gets_a_conflict_and_loses_nothing(world):
    p = proposal(world, "submitted")
    services.edit_proposal(world.alice, p, title=p.title, text=TEXT.replace("1.º de mayo", "8 de marzo"), base_version=1)
    before = snapshot()
    with pytest.raises(services.EditConflict, match="Someone saved a new version of this text") as caught:
        services.edit_proposal(world.bob, p, title=p.title, text=TEXT.replace("capital", "ciudad"), base_version=1)
    assert caught.value.status == 409 and caught.value.current.version == 2
    assert snapshot() == before  # the first edit stays; the second is handed back to its author
    services.edit_proposal(world.bob, p, title=p.title, text=caught.value.current.text.replace("capital", "ciudad"),
                           base_version=2)
    p.refresh_from_db()
    assert "8 de marzo" in p.text and "cada ciudad" in p.text and p.version == 3


def test_saving_the_same_text_again_writes_nothing(world):
    p = proposal(world)
    services.edit_proposal(world.bob, p, title="Otro", text=TEXT, base_version=1)
    before = snapshot()
    services.edit_proposal(world.bob, p, title="Otro", text=TEXT, base_version=1)  # a retry of the same save
    assert snapshot() == before


def test_only_the_author_and_organisers_edit_and_only_before_amendments(world):
    p = proposal(world, "submitted")
    for user in (world.carla, world.olga, world.nadia, world.tomas):
        with pytest.raises(PermissionDenied):
            services.edit_proposal(user, p, title="x", text="y", base_version=1)
    admitted = proposal(world, "admitted")
    with pytest.raises(ServiceError, match="changes only through amendments"):
        services.edit_proposal(world.bob, admitted, title="x", text="y", base_version=1)
    services.edit_proposal(world.alice, admitted, title="x", text="y", base_version=1)  # organisers: until amendments
    open_ = proposal(world, "amendment")
    with pytest.raises(ServiceError, match="changes only through amendments"):
        services.edit_proposal(world.alice, open_, title="x", text="y", base_version=1)


def test_a_missing_base_version_is_refused(world):
    p = proposal(world)
    with pytest.raises(ServiceError, match="version of the text is missing"):
        services.edit_proposal(world.bob, p, title="x", text="y", base_version="")


def test_history_shows_the_diff_between_any_two_versions(world):
    p = proposal(world)
    services.edit_proposal(world.bob, p, title=p.title, text=TEXT.replace("marchas", "huelgas"), base_version=1)
    services.edit_proposal(world.bob, p, title="Jornada", text=TEXT.replace("marchas", "asambleas"), base_version=2)
    diff = queries.version_diff(p, 1, 3)
    deleted = [s.text for s in diff["text"] if s.is_delete]
    inserted = [s.text for s in diff["text"] if s.is_insert]
    assert deleted == ["marchas"] and inserted == ["asambleas"]
    assert "".join(s.text for s in diff["title"] if not s.is_delete) == "Jornada"
    assert any(s.is_delete and "continental" in s.text for s in diff["title"])
    assert queries.version_diff(p, 1, 9) is None
