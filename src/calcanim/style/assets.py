"""Where calcanim's assets (themes, TeX preamble) live, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path


def assets_dir() -> Path:
    """The assets folder: packaged inside calcanim in a wheel, at the repository root in a checkout."""
    packaged = Path(__file__).resolve().parents[1] / "assets"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "assets"
