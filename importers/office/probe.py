"""One probe for Office files in ZIP containers: .docx/.xlsx/.pptx and .odt/.ods/.odp.

Before a library (python-docx, openpyxl, LibreOffice…) or a person opens the file, check
that it is what it claims and cannot hurt the reader:

- a ZIP whose central directory reads (not truncated, no duplicate names);
- at most ``max_entries`` entries, none encrypted, no path tricks (absolute paths, drive
  letters, ``..``, backslashes, NUL, control characters);
- at most ``max_total_bytes`` once uncompressed, and no entry over 1 MiB that inflates more
  than ``max_ratio`` times: a zip bomb. Every entry is actually inflated (bounded by its
  declared size, which ``zipfile`` never reads past) and its CRC checked, so lying headers
  and damaged data are caught too;
- the parts of that type: OOXML has ``[Content_Types].xml`` declaring the main part with
  the type's own content type (so a macro-enabled .docm renamed .docx is refused) and that
  part present; OpenDocument has its ``mimetype`` entry naming the type, ``content.xml``,
  and no encrypted parts in its manifest.

Raises ``OfficeFileError(reason, message)`` with a Spanish message (it reads after the
file's name: "«x.docx» no es …"). No Flask, no database.
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

_MB = 1024 * 1024
_CHUNK = 1 << 16
RATIO_MIN_BYTES = _MB  # smaller entries may compress very well (repetitive XML)
_XML_PART_MAX = 8 * _MB  # [Content_Types].xml / manifest.xml read into memory
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MANIFEST_NS = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"

_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."


@dataclass(frozen=True)
class Kind:
    label: str               # in messages: "un documento de Word"
    family: str              # "ooxml" or "odf"
    main_content_type: str   # OOXML: the main part's content type; ODF: the mimetype entry
    default_main_part: str   # where producers put the main part


KINDS: dict[str, Kind] = {
    "docx": Kind("un documento de Word", "ooxml", _OOXML + "wordprocessingml.document.main+xml",
                 "word/document.xml"),
    "xlsx": Kind("una hoja de cálculo de Excel", "ooxml", _OOXML + "spreadsheetml.sheet.main+xml",
                 "xl/workbook.xml"),
    "pptx": Kind("una presentación de PowerPoint", "ooxml", _OOXML + "presentationml.presentation.main+xml",
                 "ppt/presentation.xml"),
    "odt": Kind("un documento de texto OpenDocument", "odf", _ODF + "text", "content.xml"),
    "ods": Kind("una hoja de cálculo OpenDocument", "odf", _ODF + "spreadsheet", "content.xml"),
    "odp": Kind("una presentación OpenDocument", "odf", _ODF + "presentation", "content.xml"),
}


@dataclass(frozen=True)
class OfficeLimits:
    max_total_bytes: int = 256 * _MB   # all entries, uncompressed
    max_entries: int = 10_000
    max_ratio: int = 200               # uncompressed / compressed, for entries over 1 MiB


@dataclass(frozen=True)
class OfficeProbe:
    kind: str
    entries: int
    uncompressed_bytes: int
    main_part: str


class OfficeFileError(ValueError):
    """The file is not the Office document it claims, or is unsafe to open.

    ``reason``: not_zip, damaged, too_many_entries, unsafe_path, encrypted, bomb, not_office.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def _n(value: int | float) -> str:
    return f"{int(value):,}".replace(",", " ")


def _unsafe_name(name: str) -> bool:
    if not name or _CONTROL.search(name) or "\\" in name:
        return True
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


_DAMAGED = "está dañado o incompleto (el contenedor ZIP no se puede leer)."
_ENCRYPTED = "está protegido con contraseña o cifrado; súbalo sin contraseña."


def _head(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:4])
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(4)
    position = source.tell()
    head = source.read(4)
    source.seek(position)
    return head


def _open(source) -> zipfile.ZipFile:
    head = _head(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    try:
        return zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        if head != b"PK\x03\x04":  # not even the start of a ZIP
            raise OfficeFileError("not_zip", "no es un archivo de Office válido: no es un contenedor ZIP.") from exc
        raise OfficeFileError("damaged", _DAMAGED) from exc  # a ZIP cut short: no central directory
    except (OSError, ValueError, EOFError) as exc:  # bad offsets in the central directory
        raise OfficeFileError("damaged", _DAMAGED) from exc


def _check_entries(zf: zipfile.ZipFile, limits: OfficeLimits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise OfficeFileError("too_many_entries",
                              f"contiene demasiados archivos internos ({_n(len(infos))}; máximo "
                              f"{_n(limits.max_entries)}).")
    seen: set[str] = set()
    declared = 0
    for info in infos:
        name = info.filename
        if _unsafe_name(name) or stat.S_ISLNK(info.external_attr >> 16):
            raise OfficeFileError("unsafe_path", "contiene rutas internas no permitidas "
                                                 "(absolutas, con «..» o enlaces).")
        if name in seen:
            raise OfficeFileError("damaged", f"está dañado: la parte «{name}» aparece dos veces.")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise OfficeFileError("encrypted", _ENCRYPTED)
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise _bomb(limits)
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise OfficeFileError(
                "bomb", "contiene datos comprimidos anormalmente (una parte se expande más de "
                        f"{_n(limits.max_ratio)} veces): posible bomba de descompresión.")
    return infos


def _bomb(limits: OfficeLimits) -> OfficeFileError:
    return OfficeFileError("bomb", f"se expande a más de {_n(limits.max_total_bytes // _MB)} MB al "
                                   "descomprimirlo: posible bomba de descompresión.")


def _inflate_all(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: OfficeLimits) -> int:
    """Read every entry to its end (its CRC is checked there); the real total, bounded."""
    total = 0
    for info in infos:
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_total_bytes:
                        raise _bomb(limits)
        except OfficeFileError:
            raise
        except NotImplementedError as exc:  # Deflate64, LZMA variants zipfile cannot read…
            raise OfficeFileError("damaged", "usa una compresión que no se puede leer.") from exc
        except RuntimeError as exc:  # "File … is encrypted, password required"
            raise OfficeFileError("encrypted", _ENCRYPTED) from exc
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # bad CRC, truncated data
            raise OfficeFileError("damaged", "está dañado o incompleto (una parte no se puede leer).") from exc
    return total


def _xml(zf: zipfile.ZipFile, name: str, what: str) -> ElementTree.Element:
    info = zf.getinfo(name)
    if info.file_size > _XML_PART_MAX:
        raise OfficeFileError("not_office", f"no es {what} válido: «{name}» es demasiado grande.")
    try:
        return ElementTree.fromstring(zf.read(name))
    except ElementTree.ParseError as exc:
        raise OfficeFileError("not_office", f"no es {what} válido: «{name}» no se puede leer.") from exc


def _ooxml_main_part(zf: zipfile.ZipFile, names: set[str], kind: Kind) -> str:
    if "[Content_Types].xml" not in names:
        raise OfficeFileError("not_office", f"no es {kind.label} válido: le falta «[Content_Types].xml».")
    types = _xml(zf, "[Content_Types].xml", kind.label)
    mains = [o.get("PartName", "") for o in types.iter(f"{_CT_NS}Override")
             if (o.get("ContentType") or "").strip().lower() == kind.main_content_type]
    if not mains:
        raise OfficeFileError("not_office", f"no es {kind.label} válido: no declara la parte principal "
                                            f"(«{kind.default_main_part}»); ¿es otro tipo de archivo con "
                                            "la extensión cambiada?")
    part = mains[0].lstrip("/")
    if part not in names:
        raise OfficeFileError("not_office", f"no es {kind.label} válido: le falta «{part}».")
    return part


def _odf_main_part(zf: zipfile.ZipFile, names: set[str], kind: Kind) -> str:
    mimetype = zf.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    if mimetype != kind.main_content_type:
        raise OfficeFileError("not_office", f"no es {kind.label} válido: su tipo declarado es "
                                            f"«{mimetype[:80] or 'ninguno'}».")
    if "content.xml" not in names:
        raise OfficeFileError("not_office", f"no es {kind.label} válido: le falta «content.xml».")
    if "META-INF/manifest.xml" in names:
        manifest = _xml(zf, "META-INF/manifest.xml", kind.label)
        if next(manifest.iter(f"{_MANIFEST_NS}encryption-data"), None) is not None:
            raise OfficeFileError("encrypted", _ENCRYPTED)
    return "content.xml"


def probe_office(source: bytes | str | os.PathLike | BinaryIO, kind: str,
                 limits: OfficeLimits | None = None) -> OfficeProbe:
    """Check ``source`` (bytes, a path or a binary file) is a safe Office file of ``kind``
    (a key of ``KINDS``: "docx", "xlsx", "pptx", "odt", "ods", "odp")."""
    spec = KINDS[kind]
    limits = limits or OfficeLimits()
    with _open(source) as zf:
        infos = _check_entries(zf, limits)
        names = {i.filename for i in infos}
        main = _ooxml_main_part(zf, names, spec) if spec.family == "ooxml" else _odf_main_part(zf, names, spec)
        total = _inflate_all(zf, infos, limits)
    return OfficeProbe(kind=kind, entries=len(infos), uncompressed_bytes=total, main_part=main)
