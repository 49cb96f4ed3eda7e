"""Who may do what with endorsements (django-rules), asked alike by views, API and services.

- Signing on, verifying and withdrawing need no account: the signed links in the email are the proof.
- Coordinators manage the settings, see every endorsement and export them (CSV).
- A national committee decides on the endorsements of its own country when approval is asked for.
"""

import rules

from convoca.core.roles import is_coordinator
from convoca.network.rules import committee_countries, is_committee_member


@rules.predicate
def committee_of_endorsement(user, endorsement):
    return endorsement is not None and str(endorsement.country) in committee_countries(user)


rules.add_perm("endorsements.manage", is_coordinator)
rules.add_perm("endorsements.export", is_coordinator)
rules.add_perm("endorsements.review", is_coordinator | is_committee_member)
rules.add_perm("endorsements.decide", is_coordinator | committee_of_endorsement)
