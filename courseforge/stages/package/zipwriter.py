"""Deterministic zip writing: same files in, same bytes out."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping

DOS_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip entry can carry."""
FILE_MODE = 0o100644


def zip_timestamp(source_date_epoch: int | None) -> tuple[int, int, int, int, int, int]:
    """The one timestamp every entry gets (UTC, even seconds as zip stores them)."""
    seconds = max(source_date_epoch if source_date_epoch is not None else DOS_EPOCH, DOS_EPOCH)
    moment = time.gmtime(seconds)
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min, moment.tm_sec)


def write_zip(files: Mapping[str, bytes], source_date_epoch: int | None = None) -> bytes:
    """Sorted entries, fixed timestamp and permissions, deflate level 9, no extra fields."""
    buffer = io.BytesIO()
    stamp = zip_timestamp(source_date_epoch)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
