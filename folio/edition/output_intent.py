"""The output intent of a PDF/X book: the printer's CMYK profile, and the colours
the book is set in.

A PDF/X file names the printing condition it was made for with an ICC output
profile (its "output intent"). The edition names its printer's profile in
``print.output_profile``; without one the build uses Coated FOGRA39 (offset on
coated paper, ISO 12647-2), made from Fogra's measurements with ArgyllCMS
(``make_profile``): by ``make`` into the environment, or by folio itself on first use
into the user's data folder, when ArgyllCMS and the data are installed (Debian:
argyll, icc-profiles-free). Text and rules are set in pure black ink
(``device-cmyk(0 0 0 1)``), never as RGB black, which a printer would separate
into four inks.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("folio")

DEFAULT_PROFILE = Path(sys.prefix) / "share" / "folio" / "FOGRA39L_coated.icc"  # made by make
# made by folio on first use, for an installation without make (pip, pipx)
USER_PROFILE = (
    Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "folio" / "FOGRA39L_coated.icc"
)
FOGRA39_DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")  # Fogra's measurements (zlib licence), Debian's
PROFILE_TOOLS = "ArgyllCMS and Fogra's FOGRA39 data (Debian: apt-get install argyll icc-profiles-free)"
PRINT_STANDARDS = ("pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")
XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")  # the document ID of PDF/X-4 XMP


def default_profile() -> Path | None:
    """The default output profile (Coated FOGRA39): the one made by make, or the user's; made
    now, once, into the user's data folder when it is missing and ArgyllCMS can make it."""
    for path in (DEFAULT_PROFILE, USER_PROFILE):
        if path.is_file():
            return path
    if can_make_profile():
        log.info(
            "  making the default CMYK output profile, Coated FOGRA39, with ArgyllCMS (once: about 20 s) into %s",
            USER_PROFILE,
        )
        try:
            return make_profile(USER_PROFILE)
        except (OSError, subprocess.SubprocessError):
            return None
    return None


def can_make_profile() -> bool:
    return shutil.which("colprof") is not None and FOGRA39_DATA.is_file()


def make_profile(target: Path) -> Path:
    """Coated FOGRA39 made with ArgyllCMS's colprof from Fogra's FOGRA39L measurements: medium
    quality tables (-qm), the total ink limit of ISO 12647-2 sheet-fed coated paper (-l 330)."""
    with tempfile.TemporaryDirectory(prefix="folio-profile-") as work:
        shutil.copyfile(FOGRA39_DATA, Path(work) / "FOGRA39L.ti3")
        made = Path(work) / "profile.icc"
        subprocess.run(
            [
                "colprof",
                "-qm",
                "-l",
                "330",
                "-M",
                "FOGRA39",
                "-D",
                "Coated FOGRA39 (ISO 12647-2:2004)",
                "-C",
                "Made with ArgyllCMS from FOGRA39L data (Fogra; zlib licence, Debian icc-profiles-free)",
                "-O",
                str(made),
                str(Path(work) / "FOGRA39L"),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        fault = profile_fault(made)
        if fault:
            raise OSError(f"colprof made a profile that {fault}")
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.{os.getpid()}.part")
        shutil.copyfile(made, staged)
        os.replace(staged, target)
    return target


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


if __name__ == "__main__":  # make's recipe: python -m folio.edition.output_intent OUT.icc
    if not can_make_profile():
        sys.exit(f"cmyk-profile: needs {PROFILE_TOOLS}")
    print(f"made {make_profile(Path(sys.argv[1]))}")
