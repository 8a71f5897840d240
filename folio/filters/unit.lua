-- Runs after --citeproc on each unit.
-- 1. Two notes called side by side would print as one number ("78"):
--    merge a note that directly follows another into it.
-- 2. Headings written by the editor get ids Pandoc makes from their text;
--    prefix them with the unit's id so that ids stay unique in the book.

local unit = "unit"
local reserved = { "chapter%-", "claim%-", "sources%-", "q%-", "front%-", "appendix", "bibliography" }

function Meta(meta)
  if meta["folio-unit"] then
    unit = pandoc.utils.stringify(meta["folio-unit"])
  end
end

-- After citeproc, a citation in a notes style is a Cite holding one Note.
local function as_note(el)
  if el.t == "Note" then return el end
  if el.t == "Cite" and #el.content == 1 and el.content[1].t == "Note" then
    return el.content[1]
  end
  return nil
end

local function merge_notes(inlines)
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local note = as_note(el)
    if note then
      local j = i + 1
      local merged = false
      while true do
        local k = j
        while k <= #inlines and (inlines[k].t == "Space" or (inlines[k].t == "Str" and inlines[k].text == "")) do
          k = k + 1
        end
        local next_note = k <= #inlines and as_note(inlines[k])
        if next_note then
          local last = note.content[#note.content]
          local first = next_note.content[1]
          if last and first and last.t == "Para" and first.t == "Para" then
            -- one paragraph: "Beta, An Article, 7. The editor's remark."
            last.content:insert(pandoc.Space())
            last.content:extend(first.content)
            for n = 2, #next_note.content do note.content:insert(next_note.content[n]) end
          else
            note.content:extend(next_note.content)
          end
          merged = true
          j = k + 1
        else
          break
        end
      end
      out:insert(merged and note or el)
      i = j
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local function is_reserved(id)
  for _, prefix in ipairs(reserved) do
    if id:find("^" .. prefix) then return true end
  end
  return false
end

function Header(el)
  if el.identifier ~= "" and not is_reserved(el.identifier) then
    el.identifier = unit .. "--" .. el.identifier
  end
  return el
end

return {
  { Meta = Meta },
  { Inlines = merge_notes, Header = Header },
}
