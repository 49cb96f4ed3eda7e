"""Permissions of accounts (invitations, tokens, own profile). Role predicates
come from core (user attributes) and network (committee seats)."""

import rules

from convoca.core.roles import is_coordinator, is_member

rules.add_perm("accounts.invite", is_coordinator)
rules.add_perm("accounts.manage_tokens", is_member)
rules.add_perm("accounts.edit_own_profile", is_member)
rules.add_perm("accounts.manage_second_factor", is_member)
rules.add_perm("accounts.manage_sessions", is_member)
