"""A campaign's published actions, or one action, as an iCalendar file (RFC 5545, ``icalendar``): titles in the
reader's language, times in UTC, the city and country as location (never the exact address: the file is as
public as the page)."""

from icalendar import Calendar, Event

from convoca.texts.queries import localize


def _event(action, url):
    event = Event()
    event.add("uid", f"action-{action.pk}@convoca")
    event.add("summary", str(action.localized["title"]))
    event.add("dtstart", action.starts_at)
    event.add("dtend", action.ends_at)
    event.add("dtstamp", action.created_at)
    event.add("location", f"{action.city}, {action.country.name}")
    if action.state == action.State.CANCELLED:
        event.add("status", "CANCELLED")
    event.add("url", url(action))
    return event


def actions_ics(name, actions, url):
    calendar = Calendar()
    calendar.add("prodid", "-//Convoca//actions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for action in localize(actions):
        calendar.add_component(_event(action, url))
    return calendar.to_ical()
