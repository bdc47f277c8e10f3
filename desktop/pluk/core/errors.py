"""The one root exception type of Pluk and its few specialisations.

Anything a user can cause (a bad task file, a missing model, an unusable run folder) raises a
PlukError whose message is one plain sentence fit for a dialog or a CLI error line.
"""

import errno


class PlukError(Exception):
    """Root of every error Pluk raises on purpose."""


class TaskError(PlukError):
    """A task file or definition is invalid; the message lists every problem."""


class ModelError(PlukError):
    """A model file is missing, unreadable, or not a usable GGUF."""


class RunFolderError(PlukError):
    """A run folder cannot be created, read, or resumed."""


class CancelledError(PlukError):
    """The user asked to stop; raised inside the engine, caught by the pipeline."""


class ChatTemplateError(PlukError):
    """A model's chat template cannot render Pluk's prompt; the message names the model."""


class StorageError(PlukError):
    """A file cannot be written: the disk is full, read-only, or the folder is not the user's."""


# The errno values that say something about the disk or folder, not about Pluk; a quota
# (EDQUOT) is a full disk to the user.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS}
_DENIED = {errno.EACCES, errno.EPERM}


def is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL | _READ_ONLY | _DENIED


def storage_error(exc: OSError, what: str | None = None, advice: str = "") -> StorageError:
    """One sentence for an OSError met while writing: "the disk is full: cannot write X; ...".
    `what` says what failed (default: "cannot write <the file>"), `advice` what to do next."""
    if what is None:
        what = f"cannot write {exc.filename}" if exc.filename else "cannot write the file"
    if exc.errno in _DISK_FULL:
        text = f"the disk is full: {what}"
    elif exc.errno in _READ_ONLY:
        text = f"{what}: the disk or folder is read-only"
    elif exc.errno in _DENIED:
        text = f"{what}: permission denied"
    else:
        text = f"{what}: {exc.strerror or exc}"
    return StorageError(f"{text}; {advice}" if advice else text)
