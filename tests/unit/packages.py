"""Build SCORM 1.2 package zips in memory for the verify tests, and damage them in precise ways.

The byte-level helpers patch the zip structures directly (APPNOTE.TXT layouts): local file header
flags at +6, central directory record flags at +8, method at +10, CRC at +16, sizes at +20/+24.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from importlib import resources

MIB = 1024 * 1024
OFFICIAL_XSD = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
FIXED_DATE = (2024, 1, 1, 0, 0, 0)

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def manifest_head(identifier: str, organization: str, declaration: str = XML_DECLARATION) -> str:
    """A SCORM 1.2 manifest up to its one (default) ``<organization>``'s opening tag: the namespaces, the
    official schemas' locations and the ADL SCORM 1.2 metadata."""
    return f"""{declaration}
<manifest identifier="{identifier}" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
    http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
    http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="{organization}">
    <organization identifier="{organization}">
"""


MANIFEST = manifest_head("com.example.safety.v1", "ORG1") + """      <title>Safety basics</title>
      <item identifier="ITEM1" identifierref="RES1" isvisible="true">
        <title>Lesson one</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="js/runtime.js"/>
      <dependency identifierref="RES2"/>
    </resource>
    <resource identifier="RES2" type="webcontent" adlcp:scormtype="asset">
      <file href="media/logo.png"/>
    </resource>
  </resources>
</manifest>
"""

CONTENT = {
    "index.html": b"<!doctype html><title>Lesson one</title><script src='js/runtime.js'></script>",
    "js/runtime.js": b"window.API && window.API.LMSInitialize('');\n" * 20,
    "media/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
}


def official_schemas() -> dict[str, bytes]:
    folder = resources.files("courseforge") / "data" / "schemas" / "scorm12"
    return {name: (folder / name).read_bytes() for name in OFFICIAL_XSD}


def package_files(manifest: str = MANIFEST) -> dict[str, bytes]:
    return {"imsmanifest.xml": manifest.encode("utf-8"), **official_schemas(), **CONTENT}


def build_zip(files: Mapping[str, bytes] | Sequence[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip with entries in the given order and fixed dates; a sequence may repeat a name on purpose."""
    pairs = list(files.items()) if isinstance(files, Mapping) else list(files)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on the duplicate-name case
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in pairs:
                archive.writestr(zipfile.ZipInfo(name, FIXED_DATE), data, compress_type=method)
    return buffer.getvalue()


def valid_package() -> bytes:
    return build_zip(package_files())


def with_manifest(old: str, new: str, *, extra: Mapping[str, bytes] | None = None) -> bytes:
    """The valid package with one manifest edit (which must apply) and optional extra files."""
    assert old in MANIFEST, old
    return build_zip({**package_files(MANIFEST.replace(old, new, 1)), **(extra or {})})


def without(*names: str) -> bytes:
    return build_zip({name: data for name, data in package_files().items() if name not in names})


def with_entries(entries: Mapping[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    return build_zip({**package_files(), **entries}, method)


def recompressed(name: str, method: int) -> bytes:
    """The valid package with one entry compressed by another method (others stay Deflate)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, data in package_files().items():
            chosen = method if entry == name else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(entry, FIXED_DATE), data, compress_type=chosen)
    return buffer.getvalue()


def central_records(data: bytes) -> list[tuple[int, str]]:
    """(offset, name) of every central directory record, found through the end-of-central-directory record."""
    end = data.rfind(b"PK\x05\x06")
    count, _size, offset = struct.unpack_from("<HII", data, end + 10)
    records = []
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        records.append((offset, data[offset + 46 : offset + 46 + name_len].decode("utf-8")))
        offset += 46 + name_len + extra_len + comment_len
    return records


def patch(data: bytes, name: str, *, local: tuple[int, bytes] | None, central: tuple[int, bytes]) -> bytes:
    """Overwrite bytes at a field offset in the named entry's local header and central record."""
    out = bytearray(data)
    for record, entry in central_records(data):
        if entry != name:
            continue
        field, value = central
        out[record + field : record + field + len(value)] = value
        if local is not None:
            (header,) = struct.unpack_from("<I", data, record + 42)
            out[header + local[0] : header + local[0] + len(local[1])] = local[1]
    return bytes(out)


def encrypt_flag(data: bytes, name: str) -> bytes:
    flag = struct.pack("<H", 0x1)
    return patch(data, name, local=(6, flag), central=(8, flag))


def compression_method(data: bytes, name: str, method: int) -> bytes:
    value = struct.pack("<H", method)
    return patch(data, name, local=(8, value), central=(10, value))


def wrong_crc(data: bytes, name: str) -> bytes:
    crc = struct.pack("<I", 0xDEADBEEF)
    return patch(data, name, local=(14, crc), central=(16, crc))


def declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the central directory lie about an entry's uncompressed size."""
    return patch(data, name, local=None, central=(24, struct.pack("<I", size)))


def overlapping(data: bytes, name: str, alias: str) -> bytes:
    """Add a second central record for ``name``'s body under ``alias`` (same length): the overlap bomb trick."""
    assert len(alias.encode()) == len(name.encode())
    end = data.rfind(b"PK\x05\x06")
    disk_count, count, size, offset = struct.unpack_from("<HHII", data, end + 8)
    record = next(start for start, entry in central_records(data) if entry == name)
    name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, record + 28)
    length = 46 + name_len + extra_len + comment_len
    copy = bytearray(data[record : record + length])
    copy[46 : 46 + name_len] = alias.encode()
    tail = bytearray(data[end:])
    struct.pack_into("<HHII", tail, 8, disk_count + 1, count + 1, size + length, offset)
    return data[:end] + bytes(copy) + bytes(tail)


def zeros_bomb(size: int) -> bytes:
    """The valid package plus ``size`` bytes of zeros, deflated while streaming (memory stays small)."""
    buffer = io.BytesIO(valid_package())
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("media/zeros.bin", FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as stream:
            chunk = bytes(MIB)
            for _ in range(size // MIB):
                stream.write(chunk)
    return buffer.getvalue()


def symlink_entry(name: str, target: str) -> bytes:
    buffer = io.BytesIO(valid_package())
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo(name, FIXED_DATE)
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        archive.writestr(info, target)
    return buffer.getvalue()


BILLION_LAUGHS = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE manifest [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<manifest identifier="M" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
  <organizations><organization identifier="O"><title>&lol9;</title></organization></organizations>
  <resources/>
</manifest>
"""


def billion_laughs(encoding: str = "utf-8") -> bytes:
    files = package_files()
    files["imsmanifest.xml"] = BILLION_LAUGHS.format(encoding=encoding).encode(encoding)
    return build_zip(files)


# --- the end record and what surrounds the zip (APPNOTE 4.3.14-4.3.16) -------------------------------

END = b"PK\x05\x06"
END_FIELDS = {"disk_entries": (8, "<H"), "total_entries": (10, "<H"), "cd_size": (12, "<I"), "cd_offset": (16, "<I")}


def end_field(data: bytes, field: str, change: int) -> bytes:
    """Add ``change`` to one field of the end-of-central-directory record (the directory itself unchanged)."""
    end = data.rfind(END)
    offset, fmt = END_FIELDS[field]
    out = bytearray(data)
    (value,) = struct.unpack_from(fmt, data, end + offset)
    struct.pack_into(fmt, out, end + offset, value + change)
    return bytes(out)


def prepended(junk: bytes, data: bytes, *, adjust: bool) -> bytes:
    """``junk`` before the zip: raw (as `cat stub x.zip` does) or with every offset moved (as `zip -A` does)."""
    if not adjust:
        return junk + data
    out = bytearray(data)
    for record, _name in central_records(data):
        (offset,) = struct.unpack_from("<I", data, record + 42)
        struct.pack_into("<I", out, record + 42, offset + len(junk))
    end = data.rfind(END)
    (directory,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", out, end + 16, directory + len(junk))
    return junk + bytes(out)


def with_comment(data: bytes, comment: bytes) -> bytes:
    end = data.rfind(END)
    return data[: end + 20] + struct.pack("<H", len(comment)) + comment


def zip64_end(data: bytes, *, total_change: int = 0) -> bytes:
    """The same zip ended by a ZIP64 end record and locator, the classic record's fields all 'see ZIP64'."""
    end = data.rfind(END)
    _disk, count, size, offset = struct.unpack_from("<HHII", data, end + 8)
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count + total_change, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    classic = struct.pack("<4sHHHHIIH", END, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + classic


# --- vendor-shaped packages ------------------------------------------------------------------------

GOLF_TOPICS = {
    "Playing": ("Playing", "Par", "Scoring"),
    "Etiquette": ("Course", "Distracting"),
    "Handicapping": ("Overview", "Example"),
}
"""Modelled on Rustici's SCORM 1.2 golf samples ("one file per SCO" and "minimum run-time calls"):
nested items without resources, one page resource per leaf, a quiz page launched with parameters from
several items, and a shared asset resource every page depends on."""

GOLF_SHARED = ("shared/assessmenttemplate.html", "shared/scormfunctions.js", "shared/style.css",
               "shared/background.jpg")


def golf_resource(identifier: str, scormtype: str, href: str, files: Sequence[str]) -> str:
    listed = "".join(f'\n      <file href="{name}"/>' for name in files)
    return (f'    <resource identifier="{identifier}" type="webcontent" adlcp:scormtype="{scormtype}"\n'
            f'      href="{href}">{listed}\n      <dependency identifierref="common_files"/>\n    </resource>\n')


def golf_manifest(scormtype: str = "sco", launch: Mapping[str, str] | None = None) -> str:
    """The golf course's manifest; ``launch`` overrides a resource's href by resource identifier."""
    items, resources = [], []
    for topic, pages in GOLF_TOPICS.items():
        leaves = []
        for page in pages:
            identifier = f"{topic.lower()}_{page.lower()}"
            leaves.append(f'        <item identifier="{identifier}_item" identifierref="{identifier}_resource">\n'
                          f"          <title>{page}</title>\n        </item>\n")
            href = (launch or {}).get(f"{identifier}_resource", f"{topic}/{page}.html")
            resources.append(golf_resource(f"{identifier}_resource", scormtype, href,
                                           (f"{topic}/{page}.html", f"{topic}/{page.lower()}.jpg")))
        quiz = f"{topic.lower()}_quiz"
        leaves.append(f'        <item identifier="{quiz}_item" identifierref="{quiz}_resource" '
                      f'parameters="?questions={topic}">\n          <title>{topic} Quiz</title>\n        </item>\n')
        href = (launch or {}).get(f"{quiz}_resource", "shared/assessmenttemplate.html")
        resources.append(golf_resource(f"{quiz}_resource", scormtype, href, (f"{topic}/questions.js",)))
        items.append(f'      <item identifier="{topic.lower()}_item">\n        <title>{topic}</title>\n'
                     + "".join(leaves) + "      </item>\n")
    shared = "".join(f'\n      <file href="{name}"/>' for name in GOLF_SHARED)
    resources.append(f'    <resource identifier="common_files" type="webcontent" adlcp:scormtype="asset">{shared}\n'
                     "    </resource>\n")
    head = manifest_head("com.example.golf.onefilepersco.12", "golf_sample_default_org",
                         '<?xml version="1.0" standalone="no" ?>')
    return head + f"""      <title>Golf Explained</title>
{"".join(items)}    </organization>
  </organizations>
  <resources>
{"".join(resources)}  </resources>
</manifest>
"""


def golf_files(manifest: str) -> dict[str, bytes]:
    files = {"imsmanifest.xml": manifest.encode("utf-8"), **official_schemas()}
    for topic, pages in GOLF_TOPICS.items():
        for page in pages:
            files[f"{topic}/{page}.html"] = f"<!doctype html><title>{page}</title>".encode()
            files[f"{topic}/{page.lower()}.jpg"] = b"\xff\xd8\xff\xe0" + page.encode() * 8
        files[f"{topic}/questions.js"] = f"var questions = '{topic}';".encode()
    for name in GOLF_SHARED:
        files[name] = f"/* {name} */".encode()
    return files


def golf_package(scormtype: str = "sco", launch: Mapping[str, str] | None = None) -> bytes:
    return build_zip(golf_files(golf_manifest(scormtype, launch)))


def broken_references(count: int) -> bytes:
    """The valid package whose SCO lists ``count`` files that are not in the zip."""
    listed = "".join(f'<file href="missing/{i}.html"/>\n' for i in range(count))
    return with_manifest('<file href="js/runtime.js"/>', f'<file href="js/runtime.js"/>\n{listed}')


def many_entries(count: int) -> bytes:
    """The valid package plus ``count`` small files, all listed by the asset resource."""
    names = [f"media/p{i:05}.txt" for i in range(count)]
    listed = "".join(f'<file href="{name}"/>' for name in names)
    return with_manifest('<file href="media/logo.png"/>', f'<file href="media/logo.png"/>{listed}',
                         extra={name: b"x" for name in names})
