"""Office files built by the tests themselves: minimal valid OOXML and OpenDocument
packages (written with zipfile) and hostile ones (zip bombs, missing parts, truncated,
encrypted entries, path tricks)."""
from __future__ import annotations

import io
import zipfile

OOXML = "application/vnd.openxmlformats-officedocument."
MAIN = {
    "docx": ("word/document.xml", OOXML + "wordprocessingml.document.main+xml",
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             "<w:body><w:p><w:r><w:t>Informe de avance</w:t></w:r></w:p></w:body></w:document>"),
    "xlsx": ("xl/workbook.xml", OOXML + "spreadsheetml.sheet.main+xml",
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheets><sheet name="Hoja1" sheetId="1"/></sheets></workbook>'),
    "pptx": ("ppt/presentation.xml", OOXML + "presentationml.presentation.main+xml",
             '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'),
}
ODF = {"odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
       "odp": "application/vnd.oasis.opendocument.presentation"}


def content_types(part: str, content_type: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')


def ooxml(kind: str = "docx", *, extra: dict[str, bytes] | None = None, main_type: str | None = None,
          drop_main: bool = False) -> bytes:
    """A minimal package of ``kind``; ``extra`` entries go after the main part."""
    part, content_type, body = MAIN[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types(part, main_type or content_type))
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships '
                    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/officeDocument" Target="{part}"/></Relationships>')
        if not drop_main:
            zf.writestr(part, body)
        else:  # something under the type's folder, so sniffing by name still says "docx"
            zf.writestr(part.split("/")[0] + "/styles.xml", "<styles/>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def odf(kind: str = "odt", *, encrypted: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODF[kind], compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", '<office:document-content xmlns:office='
                    '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        enc = ('<manifest:encryption-data manifest:checksum-type="SHA1" manifest:checksum="x"/>'
               if encrypted else "")
        zf.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest='
                    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                    f'manifest:full-path="content.xml" manifest:media-type="text/xml">{enc}'
                    "</manifest:file-entry></manifest:manifest>")
    return buf.getvalue()


def zip_bomb(kind: str = "docx", *, size: int = 20 * 1024 * 1024, parts: int = 1) -> bytes:
    """A real package with ``parts`` extra entries of ``size`` zero bytes each (≈1000:1)."""
    return ooxml(kind, extra={f"word/media/relleno{i}.bin": b"\0" * size for i in range(parts)})


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("leame.txt", "hola")
    return buf.getvalue()


def mark_encrypted(data: bytes) -> bytes:
    """Set the "encrypted" flag of every entry (local headers and central directory)."""
    out = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := out.find(signature, start)) != -1:
            out[i + flag_at] |= 0x01
            start = i + 4
    return bytes(out)


def corrupt_entry(data: bytes, part: str) -> bytes:
    """Flip a byte inside ``part``'s compressed data (its CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    out = bytearray(data)
    name_len = int.from_bytes(out[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(out[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    out[start + info.compress_size // 2] ^= 0xFF
    return bytes(out)
