# The front page (convoca.home) keeps its name in the core namespace (see convoca/urls.py).
MATRIX = {
    "core:home": {"expect": {"*": 200}},
}
