"""Runs the command line under an audit hook, for the battery of hostile inputs
(test_hostile.py): every file the build opens or lists under the secret folder,
and every program it starts, is written to the log named by FOLIO_AUDIT_LOG."""

import os
import sys

LOG = open(os.environ["FOLIO_AUDIT_LOG"], "w", encoding="utf-8")  # noqa: SIM115 - open for the whole run
SECRET = os.path.realpath(os.environ["FOLIO_SECRET"])


def _path(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return os.path.realpath(str(value)) if isinstance(value, (str, os.PathLike)) else ""


def hook(event: str, args) -> None:
    if event in ("open", "os.listdir", "os.scandir", "glob.glob", "shutil.copyfile"):
        if args and isinstance(args[0], (str, bytes, os.PathLike)):
            path = _path(args[0])
            if path.startswith(SECRET):
                LOG.write(f"{event} {path}\n")
                LOG.flush()
    elif event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.system", "os.spawn"):
        program = args[0] if event != "os.system" else args[0]
        LOG.write(f"run {program!r}\n")
        LOG.flush()
    elif event == "socket.connect":
        LOG.write(f"connect {args[1]!r}\n")
        LOG.flush()


sys.addaudithook(hook)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from folio.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
