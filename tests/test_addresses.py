"""URLs and DOIs broken as the Chicago Manual says (folio/layout/addresses.py): after a colon or
a double slash, before a single slash, a full stop, an underscore, a hyphen and the like, and
never with a hyphen added. The rules on strings, then a book laid out and read back by Poppler."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import copy_small, run_build

from folio.layout.addresses import BREAK, JOIN, break_address, break_addresses

URL = "http://www.hrono.ru/libris/lib_s/stalin_speech1956_doklad.html"


def shown(text: str) -> str:
    return text.replace(BREAK, "|").replace(JOIN, "+")


def test_the_break_points_are_chicagos():
    assert shown(break_address(URL)) == ("http://|www|.hrono|.ru|/+libris|/+lib|_s|/+stalin|_speech1956|_doklad|.html")
    assert shown(break_address("doi:10.2307/2501234")) == "doi:|10|.2307|/+2501234"
    assert shown(break_address("https://x.org/a?b=1&amp;c=2")) == "https://|x|.org|/+a|?b|=|1|&amp;|c|=|2"
    assert shown(break_address("www.site-name.org")) == "www|.site|-+name|.org"
    for address in (URL, "doi:10.2307/2501234", "https://x.org/a?b=1&amp;c=2"):
        assert break_address(address).replace(BREAK, "").replace(JOIN, "") == address  # nothing added that shows


def test_addresses_are_found_in_text_only_and_end_before_the_sentence_does():
    html = f'<p>See <a href="{URL}">{URL}</a>. Also 10.1000/182, and 5/6 of <i>www.example.org</i>.</p>'
    out = break_addresses(html)
    assert f'href="{URL}"' in out  # the link's target untouched
    assert out.count('<span class="address">') == 3
    assert "</span></a>. Also" in out and "182</span>, and 5/6" in out  # the full stop and comma left out
    assert (
        break_addresses("<style>a { b: url(http://x.org/a) }</style>") == "<style>a { b: url(http://x.org/a) }</style>"
    )


@pytest.mark.slow
def test_a_long_url_in_a_note_breaks_at_chicagos_points_without_a_hyphen(capsys, tmp_path):
    edition = copy_small(tmp_path)
    claim = edition / "claims" / "first.md"
    note = (
        f"[^a1]: A note of the editor's own on the first claim. The speech is at {URL}, the decree at "
        "https://digitalarchive.wilsoncenter.org/document/115995_rehabilitation_decree.pdf and the study "
        "at doi:10.1017/S0037677900032145_supplementary_materials."
    )
    claim.write_text(claim.read_text().replace("[^a1]: A note of the editor's own on the first claim.", note))
    out = tmp_path / "out"
    run = run_build(capsys, edition, out, "--format", "pdf")
    assert run.status == 0, run.stderr
    (pdf,) = out.glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    joined = "\n".join(lines)
    breaks = 0
    for address in (
        URL,
        "digitalarchive.wilsoncenter.org/document/115995_rehabilitation_decree.pdf",
        "10.1017/S0037677900032145_supplementary_materials",
    ):
        # the address, wherever its lines break, reads back whole with nothing added
        pattern = r"\n?".join(re.escape(ch) for ch in address)
        found = re.search(pattern, joined)
        assert found, (address, joined[-1500:])
        pieces = found.group(0).split("\n")
        for before, after in zip(pieces, pieces[1:]):  # where a line of it ends and the next goes on
            assert after[:1] in "/._-?#%~=&" or before.endswith(("//", ":", "=", "&")), found.group(0)
        breaks += len(pieces) - 1
        assert "\u2010" not in found.group(0) and not re.search(r"\w-\n", found.group(0)), found.group(0)
    assert breaks >= 2, joined[-1500:]  # the addresses did break (the test tests something)
    assert BREAK not in text and JOIN not in text
