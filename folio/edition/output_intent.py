"""The output intent of a PDF/X book: the printer's CMYK profile, and the colours
the book is set in.

A PDF/X file names the printing condition it was made for with an ICC output
profile (its "output intent"). The edition names its printer's profile in
``print.output_profile``; without one the build uses Coated FOGRA39 (offset on
coated paper, ISO 12647-2), which folio makes itself from Fogra's measurements in
the package (``folio.edition.cmyk_profile``), once, into the user's data folder.
Text and rules are set in pure black ink (``device-cmyk(0 0 0 1)``), never as RGB
black, which a printer would separate into four inks.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from folio.edition import cmyk_profile

log = logging.getLogger("folio")

PRINT_STANDARDS = ("pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")
XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")  # the document ID of PDF/X-4 XMP


def user_profile() -> Path:
    """Where folio keeps the Coated FOGRA39 it made: the user's data folder, the maker's
    date in the name (a newer maker makes a new file)."""
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "folio" / f"FOGRA39L_coated-{cmyk_profile.VERSION}.icc"


def default_profile() -> Path:
    """The default output profile, Coated FOGRA39: made now, once, when it is missing;
    OSError when the user's data folder cannot take it."""
    path = user_profile()
    if not path.is_file():
        log.info("  making the default CMYK output profile, Coated FOGRA39 (once: a few seconds) into %s", path)
        cmyk_profile.make_profile(path)
    return path


def is_print_standard(variant: str | None) -> bool:
    return (variant or "") in PRINT_STANDARDS


@dataclass(frozen=True)
class ProfileHeader:
    device_class: str  # 'prtr' for an output (printer) profile
    colour_space: str  # 'CMYK'


def read_header(data: bytes) -> ProfileHeader:
    """The fields of an ICC profile's 128-byte header that matter here;
    ValueError when ``data`` is not an ICC profile."""
    if len(data) < 132 or data[36:40] != b"acsp":
        raise ValueError("not an ICC profile (no 'acsp' signature)")
    size = int.from_bytes(data[0:4], "big")
    if size != len(data):
        raise ValueError(f"the profile says it has {size} bytes but has {len(data)}")
    return ProfileHeader(data[12:16].decode("latin-1").strip(), data[16:20].decode("latin-1").strip())


def profile_fault(path: Path) -> str:
    """Why the file ``path`` cannot be a PDF/X output intent, or '' when it can."""
    try:
        return header_fault(path.read_bytes())
    except OSError as error:
        return f"cannot be read ({error.strerror})"


def header_fault(data: bytes) -> str:
    """Why the profile ``data`` cannot be a PDF/X output intent, or '' when it can."""
    try:
        header = read_header(data)
    except ValueError as error:
        return str(error)
    if header.colour_space != "CMYK":
        return f"is a {header.colour_space} profile; a PDF/X output intent here is a CMYK printing condition"
    if header.device_class != "prtr":
        return f"is a '{header.device_class}' profile, not an output (printer) profile"
    return ""


def intent_css(profile: Path) -> str:
    """CSS that makes ``profile`` the output intent and sets the book in black ink."""
    return "\n".join(
        [
            f'@color-profile device-cmyk {{ src: url("{profile.as_uri()}"); components: cyan, magenta, yellow, black; }}',
            ":root { color: device-cmyk(0 0 0 1); }  /* text, rules and marks in black ink only */",
        ]
    )


if __name__ == "__main__":  # python -m folio.edition.output_intent: make it now, say where it is
    try:
        print(default_profile())
    except OSError as error:
        sys.exit(f"cannot make the default CMYK output profile: {error}")
