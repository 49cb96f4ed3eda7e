import os

# Tests serve static files from the source tree (no collectstatic step) and
# hash passwords cheaply; everything else is the real configuration.
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CONVOCA_FAST_HASHER", "1")
os.environ.setdefault("TEMPLATE_STRING_IF_INVALID", "INVALID_TEMPLATE_VARIABLE[%s]")

pytest_plugins = ["tests.fixtures"]
