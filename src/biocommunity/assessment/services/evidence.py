"""Evidence documents: only a few office formats, checked by content, within a size limit."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    magic: bytes | None  # None: plain text, checked by decoding


DOCUMENT_TYPES = {
    t.extension: t
    for t in (
        DocumentType(".pdf", "application/pdf", b"%PDF-"),
        DocumentType(".png", "image/png", b"\x89PNG\r\n\x1a\n"),
        DocumentType(".jpg", "image/jpeg", b"\xff\xd8\xff"),
        DocumentType(".jpeg", "image/jpeg", b"\xff\xd8\xff"),
        DocumentType(
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ZIP,
        ),
        DocumentType(
            ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP
        ),
        DocumentType(
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ZIP,
        ),
        DocumentType(".csv", "text/csv", None),
        DocumentType(".txt", "text/plain", None),
    )
}


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _decodes(head: bytes, encoding: str) -> bool:
    """Whether the first bytes are text; a character cut at the end does not count against it."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def max_bytes() -> int:
    return int(settings.BIOCOMMUNITY_EVIDENCE_MAX_BYTES)


def allowed_extensions() -> str:
    return ", ".join(sorted(DOCUMENT_TYPES))


def check_document(upload: UploadedFile) -> CheckedDocument:
    """Refuse anything too large, of another type, or whose content does not match its name."""
    name = PurePath(upload.name or "").name[:200]
    extension = PurePath(name).suffix.lower()
    kind = DOCUMENT_TYPES.get(extension)
    if kind is None:
        raise ValidationError(
            {
                "file": _("%(name)s: only these file types are accepted: %(types)s.")
                % {"name": name or "?", "types": allowed_extensions()}
            }
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if size > max_bytes():
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "name": name,
                    "size": f"{size / 1048576:.1f}",
                    "limit": f"{max_bytes() / 1048576:.0f}",
                }
            }
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        digest.update(chunk)
    upload.seek(0)
    if kind.magic is not None:
        if not head.startswith(kind.magic):
            raise ValidationError(
                {
                    "file": _("%(name)s does not look like a %(ext)s file.")
                    % {"name": name, "ext": extension}
                }
            )
    else:
        if b"\x00" in head or not any(_decodes(head, e) for e in ("utf-8", "cp932")):
            raise ValidationError({"file": _("%(name)s is not a text file.") % {"name": name}})
    return CheckedDocument(name, extension, kind.content_type, size, digest.hexdigest())
