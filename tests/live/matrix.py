MATRIX = {
    # Every gathering is public (gatherings.view_gathering): anyone may follow its events, which carry no
    # personal data; what a page then fetches checks the reader's permissions again.
    "live:gathering_events": {"args": lambda w: [w.conference.pk], "expect": {"*": 200}},
}
