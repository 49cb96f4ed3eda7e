"""Data rights: everything the platform holds about a person, and its erasure.

Each installed app may have a ``personal_data.py`` (found by
``convoca.core.hooks``, like ``demo.py`` and ``retention.py``) with:

- ``export(person)``: what the app holds about ``person`` (a
  ``network.Person``; ``person.user`` is their account, if any) as a dict
  that ``DjangoJSONEncoder`` can write; ``None`` when it holds nothing;
- ``blockers(person)``: translated sentences, one for each thing that must
  happen before the person can be erased (a proxy still running, an
  accreditation for a gathering not yet over); empty when nothing stands in
  the way;
- ``erase(person)``: remove the person's personal data from the app's tables,
  keeping in anonymous form what the coalition's records need (a vote stays
  counted, a registration stays as "erased person").

The network app asks for these from its services (``export_person_data``,
``erase_person``), which check permissions, hold the transaction and record
the action in the audit trail. Apps erase in reverse INSTALLED_APPS order: the
apps above first, while the rows they point to still say whose they are.
"""

from .hooks import app_modules


def export(person):
    """{app label: what it holds} for every app that holds something about ``person``."""
    found = {}
    for config, module in app_modules("personal_data", "export"):
        data = module.export(person)
        if data:
            found[config.label] = data
    return found


def blockers(person):
    """Every reason, in every app, why ``person`` cannot be erased now."""
    reasons = []
    for _config, module in app_modules("personal_data", "blockers"):
        reasons.extend(str(reason) for reason in module.blockers(person))
    return reasons


def erase(person):
    """Run every app's erasure, the apps above first. The caller checked ``blockers`` and holds the transaction."""
    for _config, module in reversed(app_modules("personal_data", "erase")):
        module.erase(person)
