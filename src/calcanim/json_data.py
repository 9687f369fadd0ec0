"""JSON-ready data from plans and records: numpy values to Python, tuples to lists, paths to text.
The one JSON normaliser (the manifest, `calcanim inspect`, ``calcanim show`` defaults)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plain_json(value: Any) -> Any:
    """JSON-ready data: numpy values to Python, tuples to lists, non-finite floats to None.

    >>> plain_json({"a": (1.5, float("inf")), 2: Path("x")})
    {'a': [1.5, None], '2': 'x'}
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


def json_default(value: Any) -> Any:
    """``json.dumps(..., default=json_default)``: arrays and numpy scalars as Python, paths as text;
    anything else is a bug (TypeError), not silently turned into text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-ready: {type(value).__name__}")
