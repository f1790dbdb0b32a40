"""Files only the service's own user may read: mode 0600, in a directory of mode 0700.

The data directory holds the SQLite store (hashed e-mail addresses and API keys, status list
permutation keys, sealed issuer keys) and the master key file. New ones are created with these
modes whatever the umask (a ``mode`` argument can only remove bits through the umask, and the
umask itself is process-wide, so it is never changed here). Existing ones that the group or
others may read are tightened when the service starts, with a warning naming the file and
its old mode. Outside the core: this is file system I/O.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

__all__ = ["create_private_file", "private_dir", "tighten"]

log = logging.getLogger("vcengine.files")
_GROUP_AND_OTHERS = 0o077


def tighten(path: Path, *, quiet: bool = False) -> int | None:
    """Remove the group's and others' permissions from ``path``. If there were any: return the
    old mode and (unless ``quiet``) log a warning; one that cannot be changed (another user's
    file) is left, with a warning."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & _GROUP_AND_OTHERS:
        return None
    try:
        os.chmod(path, mode & ~_GROUP_AND_OTHERS)
    except PermissionError:
        log.warning("%s is mode %04o, open to other users, and cannot be changed by this user", path, mode)
        return None
    if not quiet:
        log.warning(
            "%s was mode %04o, open to other users; changed to %04o", path, mode, mode & ~_GROUP_AND_OTHERS
        )
    return mode


def private_dir(path: Path) -> None:
    """Create directory ``path`` (and its parents) with mode 0700, or tighten it if it exists."""
    try:
        path.mkdir(mode=0o700)
        return
    except FileExistsError:
        pass
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_dir(path)
        return
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    tighten(path)


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist (True), else tighten it (False)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return True
    except FileExistsError:
        tighten(path)
        return False
