"""What an evidence upload may be: its type read from its first bytes, its name reduced to something to show."""

from __future__ import annotations

import pytest

from rigport.domain.customs.evidence_files import check_upload, display_name, sniff
from rigport.errors import InputError, TooLargeError

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.mark.parametrize(("data", "media_type"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (b"MZ\x90\x00\x03", None),  # a Windows executable
    (b"<html><script>alert(1)</script>", None),
    (b"PK\x03\x04", None),  # a ZIP (or XLSX, DOCX)
    (b"%PD", None), (b"\x89PNG", None), (b"\xff\xd8", None),  # cut short: not the whole signature
    (b"GIF89a", None),
])  # fmt: skip
def test_the_type_comes_from_the_content(data: bytes, media_type: str | None) -> None:
    assert sniff(data) == media_type


@pytest.mark.parametrize(("given", "shown"), [
    ("sdoc.pdf", "sdoc.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\system.ini.pdf", "system.ini.pdf"),
    ("C:\\scans\\FCC SDoC.PDF", "FCC SDoC.PDF"),
    ("/abs/path/", "document"), ("..", "document"), ("", "document"),
    ("evil\x00name\r\n.pdf", "evilname.pdf"),
    ("re\u0301sume\u0301.pdf", "r\u00e9sum\u00e9.pdf"),  # NFC
])  # fmt: skip
def test_a_name_is_only_its_last_component_without_control_characters(given: str, shown: str) -> None:
    assert display_name(given) == shown


def test_a_long_name_keeps_its_extension() -> None:
    name = display_name("x" * 500 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


def test_an_accepted_upload_says_its_type_and_size() -> None:
    accepted = check_upload("../lab/report.pdf", PDF, 1024)
    assert (accepted.filename, accepted.media_type, accepted.size_bytes) == ("report.pdf", "application/pdf", len(PDF))
    assert check_upload("photo.JPG", JPEG, 1024).media_type == "image/jpeg"
    assert check_upload("scan", PNG, 1024).media_type == "image/png"  # no extension: the content decides


def test_refusals_name_the_file_and_what_was_expected() -> None:
    with pytest.raises(InputError, match=r"^file: 'sdoc.pdf' is not a PDF, PNG or JPEG file"):
        check_upload("sdoc.pdf", b"MZ\x90\x00", 1024)
    with pytest.raises(InputError, match=r"^file: 'photo.png' is named .png but its content is application/pdf"):
        check_upload("photo.png", PDF, 1024)
    with pytest.raises(InputError, match=r"^file: 'empty.pdf' is empty"):
        check_upload("empty.pdf", b"", 1024)
    with pytest.raises(TooLargeError, match=r"^file: 'big.pdf' is 1,025 bytes, more than the 1,024-byte limit"):
        check_upload("big.pdf", PDF + b"0" * (1025 - len(PDF)), 1024)
    assert TooLargeError.http_status == 413
