"""The sample edition stays what the brief asks of it."""

from conftest import REPO

from folio.build import Options, gather
from folio.units.pandoc_json import citation_keys


def test_sample_edition_is_complete_and_clean():
    result = gather(Options(edition=REPO / "edition"))
    assert not result.problems.items, [p.format() for p in result.problems]
    edition = result.edition
    assert len([c for c in edition.chapters if c.kind == "claims"]) >= 3
    assert len(edition.claims) >= 12
    for claim in edition.claims.values():
        assert claim.passage.text, claim.id
        keys = citation_keys(result.library.parsed[claim.analysis.ref].json)
        assert len(keys) >= 2, f"{claim.id} cites {keys}"
        assert edition.quotations_of(claim), f"{claim.id} has no appendix quotation"
    assert len(edition.bibliography.entries) >= 25
    assert [p.id for p in edition.front] == ["introduction", "note-on-sources"]
