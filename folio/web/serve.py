"""``folio serve``: build the web edition, serve it on 127.0.0.1 and rebuild it on every save
(the watch of ``folio.rebuild.watch``), reloading the open page when a build succeeds.

The server reads only the output folder (the standard library's handler keeps requests
inside it). The reload is the server's alone: into each HTML page it sends, it adds one
script of its own address (the site's Content Security Policy allows the site's own
scripts), which asks every second for the number of the last good build; the files of the
site are never changed for it."""

from __future__ import annotations

import http.server
import logging
import sys
import threading
from functools import partial
from pathlib import Path

from folio.options import Options

log = logging.getLogger("folio")

RELOAD_SCRIPT = b"""(function () {
  "use strict";
  var seen = null;
  function look() {
    fetch("/__folio/version", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) window.location.reload();
      seen = v;
    }).catch(function () {}).finally(function () { setTimeout(look, 1000); });
  }
  look();
})();
"""


class Builds:
    """The number of the last good build, which the open pages ask for."""

    def __init__(self) -> None:
        self.number = 0
        self.lock = threading.Lock()

    def done(self) -> None:
        with self.lock:
            self.number += 1


def _handler(root: Path, builds: Builds):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:  # the build's report is what the editor reads
            pass

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/__folio/version":
                return self._send(str(builds.number).encode(), "text/plain; charset=utf-8")
            if path == "/__folio/reload.js":
                return self._send(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            if path == "/":
                sites = sorted(root.glob("*-web"), key=lambda p: p.stat().st_mtime, reverse=True)
                if sites:
                    self.send_response(302)
                    self.send_header("Location", f"/{sites[0].name}/")
                    self.end_headers()
                    return None
            target = Path(self.translate_path(path))
            if target.is_dir() and path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                page = target.read_bytes()
                tag = b'<script src="/__folio/reload.js"></script>'
                page = page.replace(b"</body>", tag + b"</body>", 1) if b"</body>" in page else page + tag
                return self._send(page, "text/html; charset=utf-8")
            return super().do_GET()

    return Handler


def serve(options: Options, args, rebuild) -> int:
    from folio.rebuild.watch import watch

    builds = Builds()
    root = options.output_dir
    root.mkdir(parents=True, exist_ok=True)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", getattr(args, "port", 8000)), _handler(root, builds))
    except OSError as exc:
        print(
            f"folio: cannot serve on 127.0.0.1:{getattr(args, 'port', 8000)}: {exc.strerror or exc}; "
            "give another port with --port N (0: any free one)",
            file=sys.stderr,
        )
        return 2
    server.daemon_threads = True
    thread = threading.Thread(target=partial(server.serve_forever, poll_interval=0.2), daemon=True)
    thread.start()
    log.info("Serving the web edition at http://127.0.0.1:%d/ (only to this machine)", server.server_port)
    print(f"folio: serving http://127.0.0.1:{server.server_port}/", file=sys.stderr, flush=True)

    def build_and_count() -> int:
        status = rebuild()
        if status == 0:
            builds.done()
        return status

    try:
        return watch(options, args, build_and_count)
    finally:
        server.shutdown()
        server.server_close()
