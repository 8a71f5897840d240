-- For the EPUB: each note becomes a note reference (epub:type noteref) and a
-- footnote (epub:type footnote, with a link back) at the end of its unit.
-- Ids carry the unit's id, so they are unique in the whole book, not just in
-- one chapter file: "ref-chapter-kirov-3" and "note-chapter-kirov-3".
-- Numbering restarts in every unit, as in print.

local unit = "unit"
local count = 0
local notes = {}

function Meta(meta)
  if meta["folio-unit"] then
    unit = pandoc.utils.stringify(meta["folio-unit"])
  end
end

function Note(el)
  count = count + 1
  local id = unit .. "-" .. count
  -- attributes as ordered pairs: a Lua table's order changes from run to run
  local back = pandoc.Link({ pandoc.Str(tostring(count) .. ".") }, "#ref-" .. id, "",
    pandoc.Attr("", { "note-backlink" }, { { "role", "doc-backlink" } }))
  local blocks = el.content
  if #blocks > 0 and (blocks[1].t == "Para" or blocks[1].t == "Plain") then
    blocks[1].content:insert(1, pandoc.Space())
    blocks[1].content:insert(1, back)
  else
    blocks:insert(1, pandoc.Plain({ back }))
  end
  notes[#notes + 1] = pandoc.Div(blocks, pandoc.Attr("note-" .. id, { "footnote" },
    { { "epub:type", "footnote" }, { "role", "doc-footnote" } }))
  return pandoc.Link({ pandoc.Str(tostring(count)) }, "#note-" .. id, "", pandoc.Attr("ref-" .. id, { "noteref" },
    { { "epub:type", "noteref" }, { "role", "doc-noteref" } }))
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
