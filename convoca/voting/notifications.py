"""Tell the voters of a poll that it is open, by email in each one's language, after the opening commits.

The roll is written when the poll opens (``Voter``); those who cast ballots (``holder_user_id``: a proxy
holder votes for the giver) are told once each. Arguments are ids only.
"""

from django_tasks import task

from convoca.core.tasks import enqueue_after_commit
from convoca.network import mail
from convoca.network.models import Person


def poll_opened(poll):
    pk = poll.pk
    enqueue_after_commit(tell_voters, pk)


@task()
def tell_voters(poll_id: int) -> None:
    from .models import Poll, Voter

    poll = Poll.objects.select_related("gathering").filter(pk=poll_id, state=Poll.State.OPEN).first()
    if poll is None:
        return  # closed or annulled before the worker got here
    user_ids = set(Voter.objects.filter(poll=poll).values_list("holder_user_id", flat=True))
    link = mail.site_link(poll.get_absolute_url())
    failed = 0
    people = list(Person.objects.select_related("user").filter(user_id__in=user_ids, erased_at__isnull=True))
    for person in people:
        try:
            mail.email_person(person, "voting/email/poll_opened", {"poll": poll, "gathering": poll.gathering,
                                                                   "link": link})
        except mail.EmailNotSent:
            failed += 1  # the other voters still get theirs
    if failed:
        raise mail.EmailNotSent(f"{failed} of {len(people)} emails not sent")
