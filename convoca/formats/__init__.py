"""Our date formats where Django's differ from how a language writes dates
(settings.FORMAT_MODULE_PATH), and the names of countries our users know
better than the bundled ones (settings.COUNTRIES_OVERRIDE)."""
