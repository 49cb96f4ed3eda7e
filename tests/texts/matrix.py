"""Role x expected status for every URL of the texts namespace: the
translators' queue and editor are for translators (tomas) and coordinators (alice).

The world's gatherings are written in English (made under the tests' English),
so the editor is opened for French."""

LOGIN = 302

MATRIX = {
    "texts:queue": {"expect": {"anonymous": LOGIN, "alice": 200, "tomas": 200, "*": 403}},
    "texts:edit": {
        "args": lambda w: ["gatherings.gathering", w.conference.pk, "fr"],
        "expect": {"anonymous": LOGIN, "alice": 200, "tomas": 200, "*": 403},
    },
}
