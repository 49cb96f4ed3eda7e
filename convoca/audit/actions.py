"""Every action the trail records: its code and how the audit pages name it.

The code says which app's action it is ("gatherings" records "registration.*",
"badge.*", ...). ``services.record`` refuses a code that is not listed here, so
a typo fails the first test that reaches it instead of writing an action no
page can name.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    # actions (days of action)
    "campaign.created": _("Day of action created"),
    "campaign.changed": _("Day of action changed"),
    "action.approved": _("Local action approved"),
    "action.host_trusted": _("Host trusted to publish directly"),
    "action.rejected": _("Local action rejected"),
    "rsvps.exported": _("RSVPs exported"),
    # gatherings
    "gathering.created": _("Gathering created"),
    "gathering.changed": _("Gathering changed"),
    "registration.accredited": _("Accredited"),
    "registration.refused": pgettext_lazy("registration", "Refused"),
    "registration.checked_in": _("Checked in at the door"),
    "mandate.confirmed": _("Mandate confirmed"),
    "mandate.rejected": _("Mandate rejected"),
    "badge.revoked": _("Badge revoked"),
    "badge.reissued": _("Badge re-issued"),
    "registrations.exported": _("List of registrations downloaded"),
    "gathering.message_sent": _("Message sent to participants"),
    # imports
    "import.confirmed": _("Import confirmed"),
    # accounts
    "invitation.sent": _("Invitation sent"),
    "invitation.revoked": _("Invitation withdrawn"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
    # network
    "organisation.created": _("Organisation registered"),
    "organisation.changed": _("Organisation changed"),
    "person.created": _("Person added to the registry"),
    "person.changed": _("Person's details changed"),
    "membership.added": _("Membership added"),
    "membership.removed": _("Membership removed"),
    "committee.created": _("National committee created"),
    "committee.member_added": _("Added to a national committee"),
    "committee.member_removed": _("Removed from a national committee"),
    "people.exported": _("List of people downloaded"),
    "organisations.exported": _("List of organisations downloaded"),
    "join_request.accepted": _("Request to join an organisation accepted"),
    "join_request.declined": _("Request to join an organisation declined"),
    # data rights
    "person.exported": _("Personal data downloaded"),
    "person.erased": _("Personal data erased"),
    # voting
    "poll.created": _("Poll created"),
    "poll.teller_ready": _("Teller passphrase set"),
    "poll.opened": _("Poll opened"),
    "poll.closed": _("Poll closed"),
    "poll.unlocked": _("Teller unlocked the count"),
    "poll.counted": _("Ballots unsealed and counted"),
    "poll.published": _("Results published"),
    "poll.annulled": _("Poll annulled"),
    "proxy.given": _("Proxy given"),
    "proxy.revoked": _("Proxy revoked"),
    # endorsements
    "endorsements.settings": _("Endorsement settings changed"),
    "endorsement.approved": _("Endorsement approved"),
    "endorsement.rejected": _("Endorsement not approved"),
    "endorsements.exported": _("Endorsements exported"),
    # followup
    "working_group.created": _("Working group created"),
    "working_group.member_added": _("Added to a working group"),
    "implementation.assigned": _("Resolution assigned to a working group"),
}

# Notes that are codes, named in the reader's language.
NOTES = {"scheduled": _("at the scheduled time")}


def label(code):
    return ACTIONS.get(code, code)


def note_label(note):
    return NOTES.get(note, note)
