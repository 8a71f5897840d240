-- Runs after --citeproc on each unit.
-- 1. A citation's note directly followed by another note would print as one number
--    ("78"): the second is merged into the first ("Beta, An Article, 7. The editor's
--    remark."). Two notes of the editor's own stay two notes: a thin separator goes
--    between their calls ("7,8").
-- 2. Every link's address is percent-encoded where it must be (citeproc writes DOIs
--    and URLs as they stand in the bibliography).

-- A citation in a notes style: a Cite ending in its Note (citeproc may put the punctuation
-- it moved before the call inside the Cite too: "Kiev[@key]." is Cite { ".", Note }).
local function is_citation_note(el)
  return el.t == "Cite" and #el.content >= 1 and el.content[#el.content].t == "Note"
end

-- After citeproc, a citation in a notes style is a Cite holding its Note.
local function as_note(el)
  if el.t == "Note" then return el end
  if is_citation_note(el) then return el.content[#el.content] end
  return nil
end

local function separator()
  return pandoc.Span({ pandoc.Str(",") }, { class = "note-sep" })
end

local function merge_notes(inlines)
  local out = pandoc.Inlines({})
  -- an author-date citation written against the word before it ("landing.[@smith]") gets its space
  for n = #inlines, 2, -1 do
    local el, before = inlines[n], inlines[n - 1]
    if el.t == "Cite" and not is_citation_note(el) and before.t == "Str" and not before.text:match("[%(%[/]$") then
      inlines:insert(n, pandoc.Space())
    end
  end
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
        if next_note and (is_citation_note(el) or is_citation_note(inlines[k])) then
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
      -- (a merged note is no longer only the citation; what citeproc put before its call stays)
      if merged and el.t == "Cite" then
        for n = 1, #el.content - 1 do out:insert(el.content[n]) end
        out:insert(note)
      else
        out:insert(el)  -- (a Note merged into is the note itself)
      end
      -- two calls side by side: a separator between them
      if j <= #inlines and as_note(inlines[j]) then
        out:insert(separator())
      end
      i = j
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local function encode(url)
  return (url:gsub("[%s<>\"{}|\\^`]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function Link(el)
  if not el.target:match("^#") then
    el.target = encode(el.target)
  end
  return el
end

return {
  { Inlines = merge_notes, Link = Link },
}
