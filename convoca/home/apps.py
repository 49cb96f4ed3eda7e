from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The site's front page. It sits at the top of the project, beside
    ``convoca/urls.py``: it may show any domain app, and no app imports it."""

    name = "convoca.home"
    label = "home"
