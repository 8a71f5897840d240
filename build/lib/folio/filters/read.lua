-- Read many Markdown texts, each on its own (so that nothing one of them holds,
-- an unclosed fence or emphasis, can reach another), in one Pandoc process.
-- Run as `pandoc lua read.lua`; stdin: {"reader": FORMAT, "items": [TEXT, ...]};
-- stdout: one line a text, Pandoc's JSON of it, or {"folio-error": MESSAGE}.

local request = pandoc.json.decode(io.read("a"), false)
local out = {}
for _, text in ipairs(request.items) do
  local ok, doc = pcall(pandoc.read, text, request.reader)
  if ok then
    out[#out + 1] = pandoc.write(doc, "json")
  else
    out[#out + 1] = pandoc.json.encode({ ["folio-error"] = tostring(doc) })
  end
end
io.write(table.concat(out, "\n"), "\n")
