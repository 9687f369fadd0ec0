"""JSON-ready data from plans and records: the one conversion `inspect --format json`, the
manifest and the gallery share, so a number that overflowed (inf, nan) is written as null
instead of stopping the output with a traceback."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plain_json(value: Any) -> Any:
    """JSON-ready data: numpy values to Python, tuples to lists, non-finite floats to None.

    >>> plain_json({"a": (1.5, float("inf")), "b": Path("x.mp4")})
    {'a': [1.5, None], 'b': 'x.mp4'}
    """
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if hasattr(value, "tolist"):
        return plain_json(value.tolist())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
