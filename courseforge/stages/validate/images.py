"""Is a file the image its name says? Signature checks for PNG, JPEG, GIF and WebP, an XML parse for SVG.

A browser shows an image whatever its name, but an LMS web server sends the type its extension implies:
an SVG named .png, or a text file named .svg, shows as a broken image. So the kind must match the name.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


class ImageKind(StrEnum):
    PNG = "PNG"
    JPEG = "JPEG"
    GIF = "GIF"
    WEBP = "WebP"
    SVG = "SVG"


SUFFIX_KINDS = {
    ".png": ImageKind.PNG,
    ".jpg": ImageKind.JPEG,
    ".jpeg": ImageKind.JPEG,
    ".gif": ImageKind.GIF,
    ".webp": ImageKind.WEBP,
    ".svg": ImageKind.SVG,
}


def is_svg(data: bytes) -> bool:
    """An XML document whose root is ``<svg>`` in the SVG namespace (no entities, no network). lxml is loaded
    here, by the first image that is none of the binary kinds: most courses and lints never need it."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    return root.tag == f"{{{SVG_NAMESPACE}}}svg"


def image_kind(data: bytes) -> ImageKind | None:
    """The kind of image ``data`` holds, or None when it is none of the kinds a package may use."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return ImageKind.PNG
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return ImageKind.JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ImageKind.GIF
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return ImageKind.WEBP
    if is_svg(data):
        return ImageKind.SVG
    return None


def image_problem(path: str, data: bytes) -> str | None:
    """Why ``data`` cannot be shown as the image ``path`` names, or None when it can."""
    expected = SUFFIX_KINDS.get(PurePosixPath(path).suffix.lower())
    if expected is None:
        return "is not a PNG, JPEG, GIF, WebP or SVG file name"
    found = image_kind(data)
    if found is None:
        return f"is not a readable {expected} image (empty, damaged, or another kind of file)"
    if found is not expected:
        return f"holds an image of type {found}, but its name says {expected}"
    return None
