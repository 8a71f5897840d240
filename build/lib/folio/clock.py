"""When the book was made: SOURCE_DATE_EPOCH if set (a reproducible build), else now."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def build_moment() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch) if epoch.isdigit() else int(time.time()), UTC)
