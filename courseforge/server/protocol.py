"""Frames between a client and its build server, over one TCP connection on 127.0.0.1.

A frame is one kind byte, a 4-byte big-endian length and that many bytes. The client sends ``AUTH`` (the token)
first; only a right token gets ``READY`` back (a wrong one gets nothing: the connection is closed). The client
then sends one ``REQUEST`` (JSON); the server streams ``STDOUT`` / ``STDERR`` frames (the bytes as the command
wrote them) and ends with ``EXIT`` (JSON ``{"code": n}``). Output is bytes, not JSON text, so whatever the
command writes reaches the terminal unchanged. Standard library only (see :mod:`courseforge.server`).
"""

from __future__ import annotations

import _socket  # socket.socket's base: both ends pass theirs (the client's is a bare one, see client.py)
import json
import struct

AUTH = b"A"
READY = b"R"
REQUEST = b"Q"
STDOUT = b"O"
STDERR = b"E"
EXIT = b"X"
HEADER = struct.Struct(">cI")
MAX_FRAME_BYTES = 64 * 2**20
"""A request carries argv and the environment (kilobytes); output comes in writes. Anything larger is not ours."""


class ProtocolError(ConnectionError):
    """The peer sent something that is not a frame of ours, or closed the connection mid-frame."""


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def json_frame(kind: bytes, document: object) -> bytes:
    return frame(kind, json.dumps(document).encode())


def receive_exactly(connection: _socket.socket, size: int) -> bytes:
    """``size`` bytes; fewer means the peer closed (:class:`ProtocolError`, or b"" at a frame boundary)."""
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive_frame(connection: _socket.socket) -> tuple[bytes, bytes] | None:
    """The next frame as (kind, payload); None when the peer closed the connection between frames."""
    header = receive_exactly(connection, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise ProtocolError("connection closed inside a frame header")
    kind, size = HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ProtocolError(f"a frame of {size} bytes")
    payload = receive_exactly(connection, size)
    if len(payload) < size:
        raise ProtocolError("connection closed inside a frame")
    return kind, payload


def decoded(payload: bytes) -> dict[str, object]:
    """A JSON frame's object (:class:`ProtocolError` if it is not one)."""
    try:
        document = json.loads(payload)
    except ValueError as error:
        raise ProtocolError(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ProtocolError("not a JSON object")
    return document
