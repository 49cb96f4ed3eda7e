"""A coarse summary of a browser's User-Agent: which browser on which system
("Firefox", "Android"), enough for a person to recognise their own logins and
no more (no version, no device model: those narrow a person down)."""

import re

from django.utils.translation import gettext_lazy as _

# Order matters: Edge and Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
BROWSERS = [
    ("edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("opera", re.compile(r"\b(OPR|Opera)/")),
    ("samsung", re.compile(r"\bSamsungBrowser/")),
    ("firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("safari", re.compile(r"\bSafari/")),
]
SYSTEMS = [
    ("android", re.compile(r"\bAndroid\b")),
    ("ios", re.compile(r"\b(iPhone|iPad|iPod)\b")),
    ("chromeos", re.compile(r"\bCrOS\b")),
    ("windows", re.compile(r"\bWindows\b")),
    ("macos", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("linux", re.compile(r"\bLinux\b")),
]
BROWSER_NAMES = {
    "edge": "Edge", "opera": "Opera", "samsung": "Samsung Internet", "firefox": "Firefox", "chrome": "Chrome",
    "safari": "Safari",
}
SYSTEM_NAMES = {
    "android": "Android", "ios": "iOS", "chromeos": "ChromeOS", "windows": "Windows", "macos": "macOS",
    "linux": "Linux",
}


def summarise(user_agent):
    """(browser code, system code) of a User-Agent string; "" where unknown."""
    user_agent = (user_agent or "")[:512]
    browser = next((code for code, pattern in BROWSERS if pattern.search(user_agent)), "")
    system = next((code for code, pattern in SYSTEMS if pattern.search(user_agent)), "")
    return browser, system


def describe(browser, system):
    """The summary as a person reads it: "Firefox on Android"."""
    browser_name = BROWSER_NAMES.get(browser) or _("An unknown browser")
    system_name = SYSTEM_NAMES.get(system)
    if not system_name:
        return browser_name
    return _("%(browser)s on %(system)s") % {"browser": browser_name, "system": system_name}
