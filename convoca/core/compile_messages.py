"""Compile every .po under convoca/locale into .mo, in pure Python (polib),
so a fresh machine needs no system gettext. Run by `make install`."""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main():
    count = 0
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(mo_path))
        count += 1
    print(f"compiled {count} message catalogue(s)", file=sys.stderr)


if __name__ == "__main__":
    main()
