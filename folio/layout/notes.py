"""Where a note may stand, as the layout and the preflight both judge it.

A note is printed at the foot of its call's page. There is one exception the layout cannot
avoid: a note called after another that is too long for the room its page has left and goes on
over the pages after (a note of thousands of words runs on over many). The notes keep their
order, so the notes called meanwhile are printed after the rest of the long one (as TeX prints
them). That is reported (W508), not refused.
"""

from __future__ import annotations

from collections.abc import Callable

from folio import ids


def behind_a_long_note(key: str, call_page: int, note_page: int, page_of: Callable[[str], int | None]) -> str:
    """The key of the note that note ``key`` (called on ``call_page``, printed on ``note_page``)
    follows onto a later page, or '' when that is not why it is off its call's page. ``page_of``:
    the page an anchor stands on.

    That note is the last one before it not printed on ``note_page``, if it stands under its call
    on ``call_page`` or before and goes on from there (the notes in between are deferred as this
    one is: printed after ``call_page``)."""
    unit, number = ids.parse_note_key(key)
    if note_page <= call_page:
        return ""
    for earlier in range(number - 1, 0, -1):
        before = ids.note_key(unit, earlier)
        called, printed = page_of(ids.call_anchor(before)), page_of(ids.note_anchor(before))
        if called is None or printed is None or called > call_page:
            return ""
        if printed > call_page:
            continue  # deferred too, behind the same long note
        return before if printed == called and printed <= call_page else ""
    return ""
