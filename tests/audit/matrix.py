"""Expected status per role for the audit trail's page: coordinators only."""

MATRIX = {
    "audit:trail": {"expect": {"anonymous": 302, "alice": 200, "*": 403}},
}
