"""Coated FOGRA39 as folio makes it, read back by another colour engine: LittleCMS (through
Pillow's ImageCms) opens the profile, prints Fogra's 1617 patches through it and finds the
colours Fogra measured; colours go to inks and back; paper stays paper, the grey axis is
smooth, and no mixture exceeds the condition's ink limit."""

from __future__ import annotations

import io
import statistics

import pytest
from PIL import Image, ImageCms

from folio.edition import cmyk_profile
from folio.edition.output_intent import read_header

EXACT = ImageCms.Flags.NOOPTIMIZE  # the profile's own tables, not LittleCMS's resampling of them
ABSOLUTE, RELATIVE = ImageCms.Intent.ABSOLUTE_COLORIMETRIC, ImageCms.Intent.RELATIVE_COLORIMETRIC


@pytest.fixture(scope="module")
def profile(fogra39):
    return ImageCms.ImageCmsProfile(io.BytesIO(fogra39.read_bytes()))


def lab_image(colours) -> Image.Image:
    """Pillow's 8-bit L*a*b*: L* scaled to 0-255, a* and b* offset by 128."""
    image = Image.new("LAB", (len(colours), 1))
    image.putdata([(round(l * 2.55), round(a) + 128, round(b) + 128) for l, a, b in colours])
    return image


def labs(image: Image.Image) -> list[tuple[float, float, float]]:
    return [(l / 2.55, a - 128, b - 128) for l, a, b in image.get_flattened_data()]


def summary(errors: list[float]) -> tuple[float, float, float]:
    errors = sorted(errors)
    return statistics.mean(errors), errors[int(0.95 * len(errors))], errors[-1]


def test_the_profile_is_an_icc_output_profile_made_the_same_everywhere(fogra39, tmp_path):
    data = fogra39.read_bytes()
    header = read_header(data)
    assert (header.device_class, header.colour_space, data[20:24], data[8]) == ("prtr", "CMYK", b"Lab ", 2)
    tags = {data[132 + 12 * i : 136 + 12 * i] for i in range(int.from_bytes(data[128:132], "big"))}
    required = {b"desc", b"cprt", b"wtpt", b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"gamt"}
    assert required <= tags, required - tags  # ICC.1:2001-04, an output profile
    info = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data)))
    assert "Coated FOGRA39" in info
    assert cmyk_profile.make_profile(tmp_path / "again.icc").read_bytes() == data


def test_fogras_patches_print_as_fogra_measured_them(profile):
    """Every patch's inks through the profile's forward tables (absolute colorimetric) against
    Fogra's measurement: ΔE*ab mean under 1 (ArgyllCMS's own profile from the same data: 0.5)."""
    patches = cmyk_profile.measurements()
    inks = Image.new("CMYK", (len(patches), 1))
    inks.putdata([tuple(round(v * 255) for v in patch.cmyk) for patch in patches])
    to_lab = ImageCms.buildTransform(profile, ImageCms.createProfile("LAB", 5000), "CMYK", "LAB", ABSOLUTE, flags=EXACT)
    printed = labs(ImageCms.applyTransform(inks, to_lab))
    mean, p95, worst = summary([cmyk_profile.delta_e(p, patch.lab) for p, patch in zip(printed, patches)])
    assert mean < 1.0 and p95 < 1.5 and worst < 2.5, (mean, p95, worst)


def test_the_printing_model_predicts_patches_it_has_not_seen():
    """Each patch predicted from the other 1616: the model generalises, it does not only
    remember the measurements."""
    mean, p95, worst = summary(cmyk_profile.PrintingModel(cmyk_profile.measurements()).leave_one_out())
    assert mean < 0.6 and p95 < 1.2 and worst < 2.5, (mean, p95, worst)


def test_colours_go_to_inks_and_back(profile):
    """The measured colours, to inks (B2A) and back (A2B): the round trip of an in-gamut
    colour stays close; the inks never exceed the 330 % total ink limit."""
    patches = cmyk_profile.measurements()
    lab = ImageCms.createProfile("LAB", 5000)
    to_inks = ImageCms.buildTransform(lab, profile, "LAB", "CMYK", ABSOLUTE, flags=EXACT)
    to_lab = ImageCms.buildTransform(profile, lab, "CMYK", "LAB", ABSOLUTE, flags=EXACT)
    inks = ImageCms.applyTransform(lab_image([patch.lab for patch in patches]), to_inks)
    back = labs(ImageCms.applyTransform(inks, to_lab))
    mean, p95, _ = summary([cmyk_profile.delta_e(b, patch.lab) for b, patch in zip(back, patches)])
    assert mean < 3.0 and p95 < 7.0, (mean, p95)
    sweep = [(l, a, b) for l in range(0, 101, 5) for a in range(-120, 121, 20) for b in range(-120, 121, 20)]
    separated = ImageCms.applyTransform(lab_image(sweep), to_inks).get_flattened_data()
    assert max(sum(px) for px in separated) <= 3.3 * 255 + 2


def test_paper_stays_paper_and_the_grey_axis_is_smooth(profile):
    """Media-relative white takes no ink; down the grey axis black rises and no ink falls
    back, so a grey gradient has no band."""
    lab = ImageCms.createProfile("LAB", 5000)
    to_inks = ImageCms.buildTransform(lab, profile, "LAB", "CMYK", RELATIVE, flags=EXACT)
    greys = ImageCms.applyTransform(lab_image([(l, 0, 0) for l in range(100, 9, -5)]), to_inks).get_flattened_data()
    assert greys[0] == (0, 0, 0, 0)
    for lighter, darker in zip(greys, greys[1:]):
        assert all(d >= l for d, l in zip(darker, lighter)), (lighter, darker)
    assert greys[-1][3] > 0.85 * 255 and greys[len(greys) // 2][3] > 0.3 * 255  # black carries the greys


def test_measurements_that_are_not_cgats_are_refused():
    with pytest.raises(ValueError, match="not CGATS"):
        cmyk_profile.read_measurements("a text")
    with pytest.raises(ValueError, match="no field XYZ_X"):
        cmyk_profile.read_measurements(
            "BEGIN_DATA_FORMAT\nCMYK_C CMYK_M CMYK_Y CMYK_K\nEND_DATA_FORMAT\nBEGIN_DATA\nEND_DATA"
        )
