"""Who may import spreadsheets: coordinators only (imports create and update
people's personal data in bulk)."""

import rules

from convoca.core.roles import is_coordinator

rules.add_perm("imports.run", is_coordinator)
