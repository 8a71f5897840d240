"""Where a note may stand, as the layout and the preflight both judge it.

A note is printed at the foot of its call's page. There is one exception the layout cannot
avoid: a note called right after another (two calls side by side, or in one line) when the two
are too long together for any page, the first continuing on the pages after. The notes keep
their order, so the second one is printed after the rest of the first (as TeX prints it). That
is reported (W508), not refused.
"""

from __future__ import annotations

from collections.abc import Callable

from folio import ids


def behind_a_long_note(key: str, call_page: int, note_page: int, page_of: Callable[[str], int | None]) -> str:
    """The key of the note that note ``key`` (called on ``call_page``, printed on ``note_page``)
    follows onto the next page, or '' when that is not why it is off its call's page. ``page_of``:
    the page an anchor stands on."""
    unit, number = ids.parse_note_key(key)
    if number <= 1 or note_page <= call_page:
        return ""
    before = ids.note_key(unit, number - 1)
    if page_of(ids.call_anchor(before)) == call_page and page_of(ids.note_anchor(before)) == call_page:
        return before
    return ""
