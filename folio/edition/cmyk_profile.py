"""Coated FOGRA39 made by folio: a CMYK output profile (ICC version 2.4) computed from
Fogra's measurements in Python alone, so that a PDF/X book needs nothing installed beside folio.

The package carries Fogra's characterization data for FOGRA39, offset printing on coated
paper (ISO 12647-2): the colour of the 1617 printed patches of the ISO 12642-2 target
(``folio/profiles/FOGRA39L.ti3``, zlib licence). From it ``make_profile`` writes the profile:

1. **The printing model**, inks to colour: a Yule-Nielsen modified Neugebauer model (the
   16 solid overprints, one effective-coverage curve per ink from its printed ramp, the
   Yule-Nielsen factor that fits best), corrected near every measured patch by the model's
   errors there (their Gaussian-weighted mean, fading to nothing where no patch is near).
   ``leave_one_out`` measures it: each patch predicted without itself.
2. **The forward tables** (A2B0-2): the model on a grid of ink values, media-relative
   (the paper is the white of the PCS; the paper's own colour is the media white point).
3. **The inverse tables** (B2A0-2): for each node of a grid of L*a*b*, the inks that print
   it through the forward tables: grey component replacement (black from 20 % grey up to
   95 %), the condition's total ink limit (330 %), and for a colour outside the gamut the
   ink mixture nearest to it in L*a*b*. The gamut table marks those colours.

The perceptual and saturation tables are the colorimetric ones: folio's books are black
text on paper, and the profile describes the printing condition rather than compressing
pictures into it.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import struct
import sys
from array import array
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

D50 = (96.42, 100.0, 82.49)  # the PCS white, Y = 100
FORWARD_GRID = 11  # nodes per ink of the A2B tables
INVERSE_GRID = 17  # nodes per L*, a*, b* of the B2A and gamut tables
TOTAL_INK = 3.30  # ISO 12647-2 sheet-fed offset on coated paper: at most 330 % ink
BLACK_START, BLACK_FULL, BLACK_MAX = 95.0, 15.0, 0.95  # black generation: from L* 95 to L* 15, at most 95 %
BLACK_CHROMA = 60.0  # and none in colours of this chroma (C*ab) and more
IN_GAMUT = 1.0  # a colour the inks print within this ΔE*ab is inside the gamut
SPREAD, FADE = 0.10, 0.10  # the correction's Gaussian width (ink coverage) and its fading weight
CONDITION = "FOGRA39"  # the printing condition's name in the ICC's registry
DESCRIPTION = "Coated FOGRA39 (ISO 12647-2:2004), made by folio"
COPYRIGHT = "Made by folio from Fogra's FOGRA39L characterization data (zlib licence). No rights reserved."
CREATED = (2026, 12, 5, 0, 0, 0)  # when this maker's tables last changed: the same bytes everywhere
VERSION = f"{CREATED[0]:04d}{CREATED[1]:02d}{CREATED[2]:02d}"  # in the name of the file folio keeps

Ink = tuple[float, float, float, float]
Colour = tuple[float, float, float]


@dataclass(frozen=True)
class Patch:
    cmyk: Ink  # ink coverage, 0 to 1
    xyz: Colour  # measured, D50 2 degree, the perfect white Y = 100
    lab: Colour


def measurements() -> list[Patch]:
    """The FOGRA39 patches the package carries."""
    return read_measurements((resources.files("folio.profiles") / "FOGRA39L.ti3").read_text(encoding="ascii"))


def read_measurements(text: str) -> list[Patch]:
    """The patches of a CGATS (ArgyllCMS .ti3) file with CMYK, XYZ and L*a*b* fields;
    ValueError when it has none or a field is missing."""
    lines = text.splitlines()
    try:
        fields = lines[lines.index("BEGIN_DATA_FORMAT") + 1].split()
        start, end = lines.index("BEGIN_DATA"), lines.index("END_DATA")
    except ValueError:
        raise ValueError("not CGATS data: no BEGIN_DATA_FORMAT or BEGIN_DATA") from None
    names = ("CMYK_C", "CMYK_M", "CMYK_Y", "CMYK_K", "XYZ_X", "XYZ_Y", "XYZ_Z", "LAB_L", "LAB_A", "LAB_B")
    missing = [name for name in names if name not in fields]
    if missing:
        raise ValueError(f"the data has no field {', '.join(missing)}")
    at = [fields.index(name) for name in names]
    patches = []
    for line in lines[start + 1 : end]:
        values = line.split()
        if not values:
            continue
        number = [float(values[i]) for i in at]
        patches.append(Patch(tuple(v / 100 for v in number[:4]), tuple(number[4:7]), tuple(number[7:10])))
    if not patches:
        raise ValueError("the data holds no patch")
    return patches


def _f(t: float) -> float:
    return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116


def _f_inverse(t: float) -> float:
    return t**3 if t > 6 / 29 else (116 * t - 16) * 27 / 24389


def lab_of(xyz: Colour, white: Colour = D50) -> Colour:
    fx, fy, fz = (_f(xyz[i] / white[i]) for i in range(3))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def xyz_of(lab: Colour, white: Colour = D50) -> Colour:
    fy = (lab[0] + 16) / 116
    return (
        white[0] * _f_inverse(fy + lab[1] / 500),
        white[1] * _f_inverse(fy),
        white[2] * _f_inverse(fy - lab[2] / 200),
    )


def delta_e(first: Colour, second: Colour) -> float:
    """CIE 1976 colour difference (ΔE*ab)."""
    return math.dist(first, second)


class PrintingModel:
    """Inks to colour for the printing condition the patches measure."""

    def __init__(self, patches: list[Patch]):
        self.patches = patches
        by_inks = {patch.cmyk: patch for patch in patches}
        corners = list(itertools.product((0.0, 1.0), repeat=4))
        absent = [corner for corner in corners if corner not in by_inks]
        if absent:
            raise ValueError(f"the data has no patch of the solid overprint {absent[0]}")
        self._solids = [(corner, by_inks[corner].xyz) for corner in corners]
        self.factor = min((n / 10 for n in range(10, 41)), key=self._fit_error)
        self._fit(self.factor)
        self._residuals = [
            tuple(patch.lab[j] - model[j] for j in range(3))
            for patch, model in zip(patches, (lab_of(self._neugebauer(p.cmyk)) for p in patches))
        ]
        self._order = [sorted(range(len(patches)), key=lambda i: patches[i].cmyk[d]) for d in range(4)]
        self._sorted = [[patches[i].cmyk[d] for i in order] for d, order in enumerate(self._order)]
        self._near_cache: dict[tuple[int, float], frozenset[int]] = {}
        self.paper = xyz_of(self.lab((0.0, 0.0, 0.0, 0.0)))  # the model's paper: the white of every table

    def _fit(self, factor: float) -> None:
        """The solids raised to 1/n and one effective-coverage curve per ink, from the
        patches of that ink alone on paper."""
        self.factor = factor
        self._power = [(corner, tuple(v ** (1 / factor) for v in xyz)) for corner, xyz in self._solids]
        paper = self._power[0][1]  # the paper, raised
        self._curves = []
        for ink in range(4):
            solid = next(power for corner, power in self._power if corner == tuple(float(i == ink) for i in range(4)))
            span = [paper[j] - solid[j] for j in range(3)]
            points = {0.0: 0.0, 1.0: 1.0}
            for patch in self.patches:
                value = patch.cmyk[ink]
                if 0 < value < 1 and all(patch.cmyk[i] == 0 for i in range(4) if i != ink):
                    raised = [v ** (1 / factor) for v in patch.xyz]
                    points[value] = sum((paper[j] - raised[j]) * span[j] for j in range(3)) / sum(s * s for s in span)
            self._curves.append(sorted(points.items()))

    def _fit_error(self, factor: float) -> float:
        self._fit(factor)
        return sum(delta_e(lab_of(self._neugebauer(p.cmyk)), p.lab) for p in self.patches)

    def _coverage(self, ink: int, value: float) -> float:
        curve = self._curves[ink]
        at = min(max(bisect.bisect_left(curve, (value, -1.0)), 1), len(curve) - 1)
        (x0, y0), (x1, y1) = curve[at - 1], curve[at]
        return y0 + (y1 - y0) * (value - x0) / (x1 - x0)

    def _neugebauer(self, cmyk: Ink) -> Colour:
        cover = [self._coverage(i, min(max(v, 0.0), 1.0)) for i, v in enumerate(cmyk)]
        total = [0.0, 0.0, 0.0]
        for corner, power in self._power:
            weight = 1.0
            for i in range(4):
                weight *= cover[i] if corner[i] else 1 - cover[i]
            for j in range(3):
                total[j] += weight * power[j]
        return tuple(max(v, 0.0) ** self.factor for v in total)

    def _near(self, cmyk: Ink) -> frozenset[int]:
        """The patches within three widths of ``cmyk`` on every ink."""
        sets = []
        for d, value in enumerate(cmyk):
            key = (d, value)
            if key not in self._near_cache:
                low = bisect.bisect_left(self._sorted[d], value - 3 * SPREAD)
                high = bisect.bisect_right(self._sorted[d], value + 3 * SPREAD)
                self._near_cache[key] = frozenset(self._order[d][low:high])
            sets.append(self._near_cache[key])
        return sets[0].intersection(*sets[1:])

    def lab(self, cmyk: Ink, without: int | None = None) -> Colour:
        """The colour the inks print (absolute L*a*b*); ``without`` leaves one patch out."""
        model = lab_of(self._neugebauer(cmyk))
        weights, sums = 0.0, [0.0, 0.0, 0.0]
        scale = -0.5 / SPREAD**2
        for i in self._near(cmyk):
            if i == without:
                continue
            c = self.patches[i].cmyk
            weight = math.exp(scale * sum((cmyk[d] - c[d]) ** 2 for d in range(4)))
            weights += weight
            for j in range(3):
                sums[j] += weight * self._residuals[i][j]
        return tuple(model[j] + sums[j] / (weights + FADE) for j in range(3))

    def media_relative(self, xyz: Colour) -> Colour:
        """The L*a*b* of the colour ``xyz`` measured against the paper: the paper is L* 100, a* b* 0."""
        return lab_of(tuple(xyz[j] * D50[j] / self.paper[j] for j in range(3)))

    def relative_lab(self, cmyk: Ink) -> Colour:
        """The colour the inks print, media-relative."""
        return self.media_relative(xyz_of(self.lab(cmyk)))

    def leave_one_out(self) -> list[float]:
        """The ΔE*ab of each patch predicted from the others, in the patches' order."""
        return [delta_e(self.lab(patch.cmyk, without=i), patch.lab) for i, patch in enumerate(self.patches)]


class ForwardTable:
    """The A2B table: media-relative L*a*b* on a grid of ink values, interpolated
    multilinearly as a colour management module does."""

    def __init__(self, model: PrintingModel, grid: int = FORWARD_GRID):
        self.grid = grid
        steps = [i / (grid - 1) for i in range(grid)]
        self.values = [model.relative_lab(cmyk) for cmyk in itertools.product(steps, repeat=4)]

    def at(self, cmy: list[float], k: float) -> tuple[Colour, list[list[float]]]:
        """The colour of the inks and its derivatives by cyan, magenta and yellow."""
        g = self.grid - 1
        cells, fractions = [], []
        for value in (*cmy, k):
            position = min(max(value, 0.0), 1.0) * g
            cell = min(int(position), g - 1)
            cells.append(cell)
            fractions.append(position - cell)
        c0, m0, y0, k0 = cells
        fc, fm, fy, fk = fractions
        n = self.grid
        corner = {}
        for dc, dm, dy in itertools.product((0, 1), repeat=3):
            base = (((c0 + dc) * n + m0 + dm) * n + y0 + dy) * n + k0
            low, high = self.values[base], self.values[base + 1]
            corner[dc, dm, dy] = [low[j] + (high[j] - low[j]) * fk for j in range(3)]
        weights = {0: (1 - fc, 1 - fm, 1 - fy), 1: (fc, fm, fy)}
        colour = [0.0, 0.0, 0.0]
        derivative = [[0.0] * 3 for _ in range(3)]  # [channel][ink]
        for (dc, dm, dy), value in corner.items():
            wc, wm, wy = weights[dc][0], weights[dm][1], weights[dy][2]
            sc, sm, sy = (1 if dc else -1) * g, (1 if dm else -1) * g, (1 if dy else -1) * g
            for j in range(3):
                colour[j] += wc * wm * wy * value[j]
                derivative[j][0] += sc * wm * wy * value[j]
                derivative[j][1] += wc * sm * wy * value[j]
                derivative[j][2] += wc * wm * sy * value[j]
        return tuple(colour), derivative


def _within_ink_limit(cmy: list[float], limit: float) -> list[float]:
    """``cmy`` inside [0, 1] with at most ``limit`` together (the nearest such point)."""
    clipped = [min(max(v, 0.0), 1.0) for v in cmy]
    if sum(clipped) <= limit:
        return clipped
    low, high = 0.0, max(cmy)
    for _ in range(40):
        shift = (low + high) / 2
        if sum(min(max(v - shift, 0.0), 1.0) for v in cmy) > limit:
            low = shift
        else:
            high = shift
    return [min(max(v - high, 0.0), 1.0) for v in cmy]


def _solve3(matrix: list[list[float]], vector: list[float]) -> list[float]:
    (a, b, c), (d, e, f), (g, h, i) = matrix
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(det) < 1e-18:
        return [0.0, 0.0, 0.0]
    x, y, z = vector
    return [
        (x * (e * i - f * h) - b * (y * i - f * z) + c * (y * h - e * z)) / det,
        (a * (y * i - f * z) - x * (d * i - f * g) + c * (d * z - y * g)) / det,
        (a * (e * z - y * h) - b * (d * z - y * g) + x * (d * h - e * g)) / det,
    ]


def inks_for(table: ForwardTable, target: Colour, k: float, start: list[float]) -> tuple[list[float], float]:
    """Cyan, magenta and yellow that print ``target`` with black ``k`` (damped least squares
    inside the ink limits), and the ΔE*ab left."""
    limit = TOTAL_INK - k
    cmy = _within_ink_limit(start, limit)
    colour, jacobian = table.at(cmy, k)
    error = delta_e(colour, target) ** 2
    damping = 1e-3
    for _ in range(25):
        if error < 1e-6:
            break
        residual = [target[j] - colour[j] for j in range(3)]
        normal = [[sum(jacobian[r][a] * jacobian[r][b] for r in range(3)) for b in range(3)] for a in range(3)]
        for a in range(3):
            normal[a][a] += damping * (1 + normal[a][a])
        gradient = [sum(jacobian[r][a] * residual[r] for r in range(3)) for a in range(3)]
        step = _solve3(normal, gradient)
        trial = _within_ink_limit([cmy[a] + step[a] for a in range(3)], limit)
        trial_colour, trial_jacobian = table.at(trial, k)
        trial_error = delta_e(trial_colour, target) ** 2
        if trial_error < error:
            moved = max(abs(trial[a] - cmy[a]) for a in range(3))
            cmy, colour, jacobian, error = trial, trial_colour, trial_jacobian, trial_error
            damping = max(damping / 4, 1e-7)
            if moved < 2e-5:  # a third of the 16-bit table's step
                break
        else:
            damping *= 8
            if damping > 1e8:
                break
    return cmy, math.sqrt(error)


def black_for(target: Colour) -> float:
    """The black that prints with the colour ``target`` (media-relative L*a*b*): on the grey
    axis it rises evenly with darkness, from none at L* 95 to the most black at L* 15, and
    it falls away with chroma (none from C*ab 60 on)."""
    lightness, chroma = target[0], math.hypot(target[1], target[2])
    darkness = min(max((BLACK_START - lightness) / (BLACK_START - BLACK_FULL), 0.0), 1.0)
    return BLACK_MAX * darkness * max(1 - chroma / BLACK_CHROMA, 0.0)


def lightness_node(index: int, grid: int = INVERSE_GRID) -> float:
    """The L* of node ``index`` of the L*a*b* grid: 0 to 100 (the table's input curve puts
    the paper on the last node)."""
    return index * 100 / (grid - 1)


def chroma_node(index: int, grid: int = INVERSE_GRID) -> float:
    """The a* (or b*) of node ``index`` of the L*a*b* grid: over the ICC version 2 16-bit
    encoding, -128 to 127.996."""
    return index * 65535 / (grid - 1) / 256 - 128


def inverse_tables(table: ForwardTable, grid: int = INVERSE_GRID) -> tuple[list[Ink], list[float]]:
    """The inks of every node of the L*a*b* grid (L* slowest, b* fastest) and the ΔE*ab by
    which each misses its colour (0 inside the gamut)."""
    inks: list[Ink] = []
    misses: list[float] = []
    row_start = [0.3, 0.3, 0.3]
    for li, ai in itertools.product(range(grid), repeat=2):
        lightness, a = lightness_node(li, grid), chroma_node(ai, grid)
        start = list(row_start)
        for bi in range(grid):
            target = (lightness, a, chroma_node(bi, grid))
            k = black_for(target)
            cmy, miss = inks_for(table, target, k, start)
            if miss > 0.5 and k < BLACK_MAX and table.at(cmy, k)[0][0] > target[0] + 0.5:
                darker = inks_for(table, target, BLACK_MAX, cmy)  # too light with that black: the most black
                if darker[1] < miss:
                    (cmy, miss), k = darker, BLACK_MAX
            inks.append((cmy[0], cmy[1], cmy[2], k))
            misses.append(miss)
            start = cmy
            if bi == 0:
                row_start = cmy
    return inks, misses


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _words(values: list[int]) -> bytes:
    packed = array("H", values)
    if sys.byteorder == "little":
        packed.byteswap()
    return packed.tobytes()


LIGHTNESS_CURVE = [min(round(i * 257 * 65535 / 65280), 65535) for i in range(256)]  # L* 100 to the last node


def _lut16(inputs: int, outputs: int, grid: int, clut: list[int], lab_in: bool = False) -> bytes:
    """An ICC lut16Type around the table ``clut``: identity matrix and curves, but for an
    L*a*b* input the curve that stretches L* 0-100 over the whole grid."""
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    straight = [round(i * 257) for i in range(256)]
    curves_in = _words((LIGHTNESS_CURVE if lab_in else straight) + straight * (inputs - 1))
    head = b"mft2" + bytes(4) + bytes((inputs, outputs, grid, 0)) + identity + struct.pack(">HH", 256, 2)
    return head + curves_in + _words(clut) + _words([0, 65535] * outputs)


def _encode_lab(lab: Colour) -> list[int]:
    """The ICC version 2 16-bit encoding of L*a*b* (lut16Type)."""
    return [
        min(max(round(lab[0] * 652.8), 0), 65535),
        min(max(round((lab[1] + 128) * 256), 0), 65535),
        min(max(round((lab[2] + 128) * 256), 0), 65535),
    ]


def _text_description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(8) + bytes(3) + bytes(67)


def _text(text: str) -> bytes:
    return b"text" + bytes(4) + text.encode("ascii") + b"\0"


def profile_bytes(model: PrintingModel) -> bytes:
    """The ICC profile of the printing condition ``model`` describes."""
    forward = ForwardTable(model)
    inks, misses = inverse_tables(forward)
    a2b = _lut16(4, 3, forward.grid, [word for lab in forward.values for word in _encode_lab(lab)])
    b2a = _lut16(3, 4, INVERSE_GRID, [min(max(round(v * 65535), 0), 65535) for node in inks for v in node], True)
    gamut = _lut16(
        3, 1, INVERSE_GRID, [0 if miss <= IN_GAMUT else min(round(miss * 256), 65535) for miss in misses], True
    )
    white = b"XYZ " + bytes(4) + b"".join(_s15(v / 100) for v in model.paper)
    tags = [
        (b"desc", _text_description(DESCRIPTION)),
        (b"cprt", _text(COPYRIGHT)),
        (b"dmdd", _text_description(CONDITION)),  # the device model: a PDF/X output condition's identifier
        (b"wtpt", white),
        (b"targ", _text(CONDITION)),  # the characterization data, by its registered name
        (b"A2B0", a2b),
        (b"A2B1", a2b),
        (b"A2B2", a2b),
        (b"B2A0", b2a),
        (b"B2A1", b2a),
        (b"B2A2", b2a),
        (b"gamt", gamut),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    directory, body, placed = [], b"", {}
    for signature, data in tags:
        if data not in placed:
            placed[data] = offset + len(body)
            body += data + bytes(-len(data) % 4)
        directory.append(struct.pack(">4sII", signature, placed[data], len(data)))
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size)
        + bytes(4)  # preferred colour management module: none
        + bytes((2, 0x40, 0, 0))  # version 2.4
        + b"prtrCMYKLab "
        + struct.pack(">6H", *CREATED)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8)  # platform, flags, manufacturer, model, attributes (reflective, glossy)
        + struct.pack(">I", 0)  # rendering intent: perceptual
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + bytes(4)  # creator
        + bytes(16 + 28)  # profile ID (version 4 only) and reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(directory) + body


def make_profile(target: Path) -> Path:
    """Coated FOGRA39 from the package's measurements, written to ``target`` whole or not at all."""
    data = profile_bytes(PrintingModel(measurements()))
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        staged.write_bytes(data)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return target


def report() -> str:
    """The profile's figures: how close the model and the tables come to Fogra's measurements,
    how much of the L*a*b* grid is inside the gamut, and what making it costs."""
    import statistics
    import time

    def summary(errors: list[float]) -> str:
        errors = sorted(errors)
        return f"mean {statistics.mean(errors):.2f}, 95th percentile {errors[int(0.95 * len(errors))]:.2f}, worst {errors[-1]:.2f}"

    began, cpu = time.perf_counter(), time.process_time()
    model = PrintingModel(measurements())
    forward = ForwardTable(model)
    inks, misses = inverse_tables(forward)
    made, made_cpu = time.perf_counter() - began, time.process_time() - cpu
    relative = [model.media_relative(p.xyz) for p in model.patches]
    tables = [delta_e(forward.at(list(p.cmyk[:3]), p.cmyk[3])[0], r) for p, r in zip(model.patches, relative)]
    return "\n".join(
        [
            f"Coated FOGRA39 from {len(model.patches)} patches (Yule-Nielsen factor {model.factor:.1f})",
            f"  the model, each patch left out of its own fit (ΔE*ab): {summary(model.leave_one_out())}",
            f"  the forward tables ({forward.grid}^4), media-relative (ΔE*ab): {summary(tables)}",
            f"  the inverse tables ({INVERSE_GRID}^3): {sum(m <= IN_GAMUT for m in misses)} of {len(misses)} nodes in the gamut, "
            f"most ink {max(sum(node) for node in inks) * 100:.0f} %",
            f"  made in {made:.1f} s (cpu {made_cpu:.1f} s)",
        ]
    )


if __name__ == "__main__":  # python -m folio.edition.cmyk_profile: the figures of docs/colour.md
    print(report())
