/* folio web edition: a note call opens its note in place (templates/web/notes.js).
   Without this script the call is a link to the note at the end of its section, which
   links back. With it: a click (or Enter) on a call shows the note beside the call;
   Escape, the close button or a click elsewhere closes it and gives the focus back. */
(function () {
  "use strict";
  var open = null;

  function close(refocus) {
    if (!open) return;
    var call = open.call;
    open.box.remove();
    call.setAttribute("aria-expanded", "false");
    open = null;
    if (refocus) call.focus();
  }

  function show(call) {
    var id = decodeURIComponent(call.getAttribute("href").slice(1));
    var note = document.getElementById(id);
    if (!note) return false;
    close(false);
    var box = document.createElement("div");
    box.className = "note-popup";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Note " + call.textContent);
    box.tabIndex = -1;
    var copy = note.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    copy.querySelectorAll("a.backref").forEach(function (el) { el.remove(); });
    var body = document.createElement("div");
    var number = document.createElement("span");
    number.className = "note-number";
    number.textContent = call.textContent + ". ";
    while (copy.firstChild) body.appendChild(copy.firstChild);
    var first = body.querySelector("p") || body;
    first.insertBefore(number, first.firstChild);
    box.appendChild(body);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "note-close";
    button.setAttribute("aria-label", "Close note " + call.textContent);
    button.textContent = "\u00d7";
    button.addEventListener("click", function () { close(true); });
    box.appendChild(button);
    var main = document.getElementById("main");
    main.appendChild(box);
    var place = call.getBoundingClientRect(), frame = main.getBoundingClientRect();
    var width = box.offsetWidth;
    var left = Math.min(place.left - frame.left, frame.width - width);
    box.style.left = Math.max(0, left) + "px";
    box.style.top = (place.bottom - frame.top + 6) + "px";
    call.setAttribute("aria-expanded", "true");
    open = { box: box, call: call };
    box.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var call = event.target.closest ? event.target.closest("a.noteref") : null;
    if (call) {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (show(call)) event.preventDefault();
      return;
    }
    if (open && !open.box.contains(event.target)) close(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) { event.preventDefault(); close(true); }
  });
  document.querySelectorAll("a.noteref").forEach(function (call) {
    call.setAttribute("aria-haspopup", "dialog");
    call.setAttribute("aria-expanded", "false");
  });
})();
