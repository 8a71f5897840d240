"""The EAN-13 barcode of an ISBN ("Bookland"), with the optional 5-digit price add-on (EAN-5),
as SVG: bars as rectangles in black ink only (CMYK 0 0 0 100), the digits as text under them,
white quiet zones around.

The symbol is drawn from the GS1 General Specifications: 95 modules (start guard, six digits
in the L/G sets chosen by the first digit, centre guard, six digits in the R set, end guard),
a module 0.33 mm wide at 100 %, bars 22.85 mm high (the guards 5 modules longer), quiet zones
of 11 modules on the left and 7 on the right. The add-on starts 9 modules after the main symbol
(the specification allows 7 to 12): a start guard 01011, five digits in L/G sets chosen by its
check value, a separator 01 between them, 5 modules of quiet zone after it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

MODULE_MM = 0.33  # at 100 % magnification
BAR_MM = 22.85  # the bars' height at 100 %, guards excluded
GUARD_EXTRA = 5  # modules the guard bars reach below the others
LEFT_QUIET, RIGHT_QUIET, ADDON_GAP, ADDON_QUIET = 11, 7, 9, 5

L_CODES = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
R_CODES = tuple("".join("1" if bit == "0" else "0" for bit in code) for code in L_CODES)
G_CODES = tuple(code[::-1] for code in R_CODES)
FIRST_DIGIT = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")
ADDON_PARITY = ("GGLLL", "GLGLL", "GLLGL", "GLLLG", "LGGLL", "LLGGL", "LLLGG", "LGLGL", "LGLLG", "LLGLG")


def ean13_check_digit(twelve: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return (10 - total % 10) % 10


def ean13_modules(digits: str) -> str:
    """The 95 modules of an EAN-13 symbol ('1' a bar, '0' a space)."""
    if len(digits) != 13 or not digits.isdigit() or ean13_check_digit(digits[:12]) != int(digits[12]):
        raise ValueError(f"not an EAN-13: {digits!r}")
    parity = FIRST_DIGIT[int(digits[0])]
    left = "".join((L_CODES if p == "L" else G_CODES)[int(d)] for p, d in zip(parity, digits[1:7]))
    right = "".join(R_CODES[int(d)] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def addon_modules(digits: str) -> str:
    """The 48 modules of an EAN-5 add-on (a price: '51995' is US$19.95; '90000' no price)."""
    if len(digits) != 5 or not digits.isdigit():
        raise ValueError(f"not a 5-digit add-on: {digits!r}")
    d = [int(c) for c in digits]
    check = (3 * (d[0] + d[2] + d[4]) + 9 * (d[1] + d[3])) % 10
    codes = [(L_CODES if p == "L" else G_CODES)[n] for p, n in zip(ADDON_PARITY[check], d)]
    return "01011" + "01".join(codes)


def _guard_positions() -> set[int]:
    return {0, 1, 2, 45, 46, 47, 48, 49, 92, 93, 94}


@dataclass(frozen=True)
class Barcode:
    svg: str  # a standalone SVG document, sized in mm
    width_mm: float  # quiet zones included
    height_mm: float


def _bars(modules: str, x0: float, y: float, height, module: float) -> list[str]:
    """Rectangles for the runs of bars; ``height(i)`` the height of the bar at module i."""
    out, i = [], 0
    while i < len(modules):
        if modules[i] == "1":
            j = i
            while j < len(modules) and modules[j] == "1" and height(j) == height(i):
                j += 1
            out.append(
                f'<rect x="{x0 + i * module:.3f}" y="{y:.3f}" width="{(j - i) * module:.3f}" height="{height(i):.3f}"/>'
            )
            i = j
        else:
            i += 1
    return out


def ean13_svg(isbn: str, addon: str = "", magnification: float = 0.9, font_family: str = "serif") -> Barcode:
    """The barcode of an ISBN-13 (hyphens allowed), with an optional 5-digit add-on; the ISBN
    printed above it, as printers and retailers expect."""
    digits = isbn.replace("-", "").replace(" ", "")
    main = ean13_modules(digits)
    module = MODULE_MM * magnification
    bar = BAR_MM * magnification
    digit_size = 9 * module  # the figures under the bars, about 2.75 mm at 100 %
    top = digit_size * 1.3  # room for "ISBN ..." above
    guards = _guard_positions()
    x_main = LEFT_QUIET * module
    parts = [
        f'<text x="{x_main + 47.5 * module:.3f}" y="{digit_size:.3f}" text-anchor="middle" '
        f'font-size="{digit_size * 0.9:.3f}">ISBN {isbn.strip()}</text>'
    ]
    parts += _bars(main, x_main, top, lambda i: bar + (GUARD_EXTRA * module if i in guards else 0), module)
    baseline = top + bar + digit_size * 0.95
    parts.append(
        f'<text x="{x_main - 2 * module:.3f}" y="{baseline:.3f}" text-anchor="end" font-size="{digit_size:.3f}">{digits[0]}</text>'
    )
    for group, start in ((digits[1:7], 3), (digits[7:], 50)):
        for n, figure in enumerate(group):
            x = x_main + (start + 7 * n + 3.5) * module
            parts.append(
                f'<text x="{x:.3f}" y="{baseline:.3f}" text-anchor="middle" font-size="{digit_size:.3f}">{figure}</text>'
            )
    width = (LEFT_QUIET + 95 + RIGHT_QUIET) * module
    if addon:
        extra = addon_modules(addon)
        x_addon = x_main + (95 + ADDON_GAP) * module
        addon_top = top + digit_size * 1.1  # the add-on's figures stand above its bars
        parts += _bars(extra, x_addon, addon_top, lambda i: bar + GUARD_EXTRA * module - digit_size * 1.1, module)
        for n, figure in enumerate(addon):
            x = x_addon + (5 + 9 * n + 3.5) * module
            parts.append(
                f'<text x="{x:.3f}" y="{addon_top - digit_size * 0.15:.3f}" text-anchor="middle" font-size="{digit_size:.3f}">{figure}</text>'
            )
        width = x_addon + (len(extra) + ADDON_QUIET) * module
    height = top + bar + GUARD_EXTRA * module + digit_size * 0.4
    height = max(height, baseline + digit_size * 0.3)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}mm" height="{height:.3f}mm" '
        f'viewBox="0 0 {width:.3f} {height:.3f}" role="img" aria-label="ISBN {isbn.strip()}">'
        f'<rect width="{width:.3f}" height="{height:.3f}" fill="device-cmyk(0 0 0 0)"/>'
        f'<g fill="device-cmyk(0 0 0 1)" font-family="{html.escape(font_family)}">' + "".join(parts) + "</g></svg>"
    )
    return Barcode(svg, width, height)
