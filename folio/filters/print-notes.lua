-- For the print HTML: each note becomes an inline span that the print CSS
-- floats to the foot of the page (float: footnote). An empty anchor marks
-- the call, so the preflight can compare where call and note landed.

local unit = "unit"
local count = 0

function Meta(meta)
  if meta["folio-unit"] then
    unit = pandoc.utils.stringify(meta["folio-unit"])
  end
end

function Note(el)
  count = count + 1
  local id = unit .. "-" .. count
  local inlines = pandoc.utils.blocks_to_inlines(el.content, { pandoc.LineBreak() })
  return {
    pandoc.Span({}, { id = "call-" .. id, class = "note-call" }),
    pandoc.Span(inlines, { id = "note-" .. id, class = "footnote" }),
  }
end

return {
  { Meta = Meta },
  { Note = Note },
}
