"""Data files readable by the server's system account only.

The SQLite database, its ``-wal`` and ``-shm`` files, the secret key and
every file Convoca writes under ``var/`` (emails kept by the console backend)
hold personal data or secrets: they are created 0600 (directories 0700), and
a database file found with wider permissions (made before this rule) is
narrowed the first time a process connects to it. SQLite itself gives the
``-wal`` and ``-shm`` files the permissions of the database file."""

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700

_narrowed = set()


def private_directory(path):
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    _narrow(path, PRIVATE_DIRECTORY)
    return path


def write_private_file(path, data):
    """Create ``path`` (it must not exist) with mode 0600 and write ``data``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)
    return path


def _narrow(path, mode):
    """Take away every permission ``mode`` does not grant (group and others)."""
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)


def narrow_sqlite_files(sender=None, connection=None, **kwargs):
    """``connection_created`` receiver: the SQLite database and its WAL and
    shared-memory files become 0600, once per file and process. Other
    databases and in-memory SQLite are left alone."""
    if connection is None or connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    if name in _narrowed:
        return
    for path in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
        _narrow(path, PRIVATE_FILE)
    _narrowed.add(name)
