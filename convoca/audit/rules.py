import rules

from convoca.core.roles import is_coordinator

# The whole trail: coordinators. A poll's own trail is shown to its organisers by the voting app.
rules.add_perm("audit.view_trail", is_coordinator)
