-- For the print HTML: each note becomes an inline span that the print CSS
-- floats to the foot of the page (float: footnote). An empty anchor marks
-- the call, so the preflight can compare where call and note landed.
-- The ids' prefixes come from folio/ids.py (metadata folio-prefix-*).

local unit = "unit"
local count = 0
local prefix = { note = "note-", call = "call-" }

function Meta(meta)
  if meta["folio-unit"] then
    unit = pandoc.utils.stringify(meta["folio-unit"])
  end
  for name, _ in pairs(prefix) do
    if meta["folio-prefix-" .. name] then
      prefix[name] = pandoc.utils.stringify(meta["folio-prefix-" .. name])
    end
  end
end

function Note(el)
  count = count + 1
  local key = unit .. "-" .. count
  local inlines = pandoc.utils.blocks_to_inlines(el.content, { pandoc.LineBreak() })
  return {
    pandoc.Span({}, { id = prefix.call .. key, class = "note-call" }),
    pandoc.Span(inlines, { id = prefix.note .. key, class = "footnote" }),
  }
end

return {
  { Meta = Meta },
  { Note = Note },
}
