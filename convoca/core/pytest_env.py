"""Loaded by pytest with ``-p`` (see pyproject.toml) before Django is set up:
tests serve static files from the source tree (no collectstatic step), hash
passwords cheaply and fail on unrendered template variables. Everything else
is the real configuration."""

import os

os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("CONVOCA_FAST_HASHER", "1")
os.environ.setdefault("TEMPLATE_STRING_IF_INVALID", "INVALID_TEMPLATE_VARIABLE[%s]")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Live events stay in the test process, delivered at once, even when REDIS_URL is set (the Redis bus is tested
# on a private redis-server in tests/live, and the servers those tests start get a bus of their own).
os.environ.setdefault("CONVOCA_LIVE_BUS", "local")
