"""The sessions of a gathering as an iCalendar file (RFC 5545, written by the ``icalendar`` library): titles
in the reader's language, times in UTC, rooms; never a video room (the file is as public as the programme)."""

from icalendar import Calendar, Event

from convoca.texts.queries import localize

from .queries import sessions_of


def sessions_ics(gathering, programme_url):
    calendar = Calendar()
    calendar.add("prodid", "-//Convoca//plenary//EN")
    calendar.add("version", "2.0")
    localize([gathering])
    calendar.add("x-wr-calname", str(gathering.localized["title"]))
    for session in localize(sessions_of(gathering)):
        event = Event()
        event.add("uid", f"session-{session.pk}-{gathering.slug}@convoca")
        event.add("summary", str(session.localized["title"]))
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", session.created_at)
        if session.room:
            event.add("location", session.room)
        event.add("url", programme_url)
        calendar.add_component(event)
    return calendar.to_ical()
