"""Receiving an upload (``POST /api/v1/packages``, the admin's form ``POST /packages``): the multipart body's
``package`` file streamed into the store's tmp/, then published or refused (:func:`take_upload`, which both use).

The body is never held in memory: each chunk goes through python-multipart's streaming parser and the file
field's bytes straight to an upload file, which is fsynced before anyone reads it. Past the size limit
(the declared Content-Length, or the bytes actually received) the upload stops at once.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from courseforge.lms.review.package_store import PackageStore
from courseforge.lms.review.publishing import PackageRejected, Published
from courseforge.lms.review.service import MIB, ReviewLms

FIELD = b"package"
FORM_OVERHEAD = 64 * 1024
"""Bytes a multipart body may hold beyond its file (boundaries, headers, a few small fields)."""


def upload_label(raw: bytes) -> str:
    """A client's file name as a label: its last path part, printable, at most 100 characters."""
    name = raw.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())[:100]
    return name or "package.zip"


@dataclass(frozen=True)
class Upload:
    path: Path
    """A complete, fsynced file in the store's tmp/ folder."""
    name: str


class UploadTooLarge(Exception):
    pass


class BadUpload(Exception):
    pass


class _PackageField:
    """Collects the ``package`` part's bytes into ``fd``; other parts are read and dropped."""

    def __init__(self, fd: int, limit: int) -> None:
        self.fd = fd
        self.limit = limit
        self.size = 0
        self.found = False
        self.filename = ""
        """The file name the client gave (labels the verifier's messages), "" when none."""
        self._header = b""
        self._value = b""
        self._in_package = False

    def callbacks(self) -> dict[str, object]:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_part_data": self._data, "on_part_end": self._end}

    def _begin(self) -> None:
        self._in_package = False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            _, options = parse_options_header(self._value)
            if options.get(b"name") == FIELD and not self.found:
                self._in_package = self.found = True
                self.filename = upload_label(options.get(b"filename", b""))
        self._header = self._value = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_package:
            return
        self.size += end - start
        if self.size > self.limit:
            raise UploadTooLarge()
        os.write(self.fd, data[start:end])

    def _end(self) -> None:
        self._in_package = False


async def receive_package(request: Request, store: PackageStore, limit: int) -> Upload:
    """The uploaded package as a complete, fsynced file in ``store.tmp`` (the caller consumes it)."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise BadUpload("send the package as multipart/form-data with one file field named 'package'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise UploadTooLarge()
    fd, upload = store.new_upload()
    try:
        field = _PackageField(fd, limit)
        parser = MultipartParser(options[b"boundary"], field.callbacks())  # type: ignore[arg-type]
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + FORM_OVERHEAD:
                raise UploadTooLarge()
            parser.write(chunk)
        parser.finalize()
        if not field.found:
            raise BadUpload("the form has no file field named 'package'")
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        upload.unlink(missing_ok=True)
        raise
    os.close(fd)
    return Upload(upload, field.filename or "package.zip")


@dataclass(frozen=True)
class Refusal:
    """Why an upload was not published: the HTTP status, a message and, for a failed verification (422), the
    verifier's diagnostics (``Diagnostic.to_json`` form; None for any other refusal)."""

    status: int
    message: str
    diagnostics: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, object]:
        """The API's error body: ``{"error"}``, plus ``"diagnostics"`` for a failed verification."""
        return {"error": self.message} | ({} if self.diagnostics is None else {"diagnostics": self.diagnostics})


async def take_upload(request: Request, lms: ReviewLms, publisher: str) -> Published | Refusal:
    """Receive the request's package and publish it as ``publisher``: 413 too large, 400 an unreadable form,
    422 failed verification. The API and the admin's upload form answer from this one outcome."""
    limit = lms.paths.max_upload_bytes
    try:
        received = await receive_package(request, lms.store, limit)
    except UploadTooLarge:
        return Refusal(413, f"the package is larger than the {limit / MIB:g} MiB this LMS accepts")
    except (BadUpload, MultipartParseError) as problem:
        return Refusal(400, str(problem) or "the multipart body could not be read")
    try:
        return await asyncio.to_thread(lms.library.publish_upload, received.path, publisher, received.name)
    except PackageRejected as rejected:
        return Refusal(422, rejected.message, rejected.diagnostics)
