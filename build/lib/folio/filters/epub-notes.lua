-- For the EPUB: each note becomes a note reference (epub:type noteref) and a
-- footnote (epub:type footnote, with a link back) at the end of its unit.
-- Ids carry the unit's id, so they are unique in the whole book, not just in
-- one chapter file: "nref-chapter-kirov-3" and "note-chapter-kirov-3" (the
-- prefixes come from folio/ids.py, metadata folio-prefix-*).
-- Numbering restarts in every unit, as in print.

local unit = "unit"
local count = 0
local notes = {}
local prefix = { note = "note-", noteref = "nref-" }

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
  -- attributes as ordered pairs: a Lua table's order changes from run to run
  local back = pandoc.Link({ pandoc.Str(tostring(count) .. ".") }, "#" .. prefix.noteref .. key, "",
    pandoc.Attr("", { "note-backlink" }, { { "role", "doc-backlink" } }))
  local blocks = el.content
  if #blocks > 0 and (blocks[1].t == "Para" or blocks[1].t == "Plain") then
    blocks[1].content:insert(1, pandoc.Space())
    blocks[1].content:insert(1, back)
  else
    blocks:insert(1, pandoc.Plain({ back }))
  end
  notes[#notes + 1] = pandoc.Div(blocks, pandoc.Attr(prefix.note .. key, { "footnote" },
    { { "epub:type", "footnote" }, { "role", "doc-footnote" } }))
  return pandoc.Link({ pandoc.Str(tostring(count)) }, "#" .. prefix.note .. key, "",
    pandoc.Attr(prefix.noteref .. key, { "noteref" }, { { "epub:type", "noteref" }, { "role", "doc-noteref" } }))
end

function Pandoc(doc)
  if #notes > 0 then
    doc.blocks:insert(pandoc.Div(notes, { class = "footnotes" }))
  end
  return doc
end

return {
  { Meta = Meta },
  { Note = Note },
  { Pandoc = Pandoc },
}
