#!/usr/bin/env python3
"""Entry point: build the edition into output/ (see README)."""

import sys

from folio.cli import main

if __name__ == "__main__":
    sys.exit(main())
