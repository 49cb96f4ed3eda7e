"""Days of action on ``convoca tick``: the reminder the day before, sent once to each confirmed RSVP (claimed
by a conditional update, so two tickers never send it twice). Never on a page read."""

from . import notify, services


def tick(now):
    reminded = services.claim_reminders(now)
    for pk in reminded:
        notify.reminder(pk)
    return {"reminders": len(reminded)}
