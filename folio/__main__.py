"""``python -m folio``: the command line (see ``folio.cli``)."""

import sys

from folio.cli import main

sys.exit(main())
