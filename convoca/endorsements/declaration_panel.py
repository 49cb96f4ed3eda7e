"""The endorsements' part of the declaration's page (the ``declaration_panel`` hook, see ``convoca.core.hooks``):
while the declaration is published its sign-on is open, and the page calls readers to endorse it, with the
number of public endorsements."""

from . import queries


def panel(declaration):
    if not declaration.is_published:
        return None
    return {"template": "endorsements/_declaration_panel.html", "slug": declaration.gathering.slug,
            "total": queries.public(declaration).count()}
