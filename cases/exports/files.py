"""Files the Excel and Word writers save to: temporary, so a finished file is sent from disk, not memory."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import BinaryIO


def saved_to_temporary_file(save: Callable[[BinaryIO], object], *, suffix: str) -> BinaryIO:
    """A temporary file that ``save`` wrote, open at its start; it is removed when closed (the response closes it)."""
    file = tempfile.TemporaryFile(prefix="export-", suffix=suffix)  # noqa: SIM115 - handed to the response
    try:
        save(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file
