"""Themes are data (assets/themes/*.toml) that every scene reads; no scene hard-codes a colour."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from calcanim.errors import ParamError
from calcanim.style.assets import assets_dir
from calcanim.suggest import did_you_mean

DEFAULT_THEME = "dark"


@dataclass(frozen=True)
class Theme:
    """Colours (hex strings), a stroke-width factor and a text-size factor."""

    name: str
    background: str
    text: str
    muted: str
    axis: str
    grid: str
    curve: str
    point: str
    reference: str
    good: str
    bad: str
    accent: str
    runs: tuple[str, ...]
    stroke_scale: float = 1.0
    text_scale: float = 1.0

    def stroke(self, width: float) -> float:
        return width * self.stroke_scale

    def run_colour(self, index: int) -> str:
        return self.runs[index % len(self.runs)]


def theme_names() -> list[str]:
    return sorted(p.stem for p in (assets_dir() / "themes").glob("*.toml"))


@functools.cache
def load_theme(name: str = DEFAULT_THEME) -> Theme:
    """Read a theme by name; an unknown name lists the themes there are."""
    path = assets_dir() / "themes" / f"{name}.toml"
    if not path.is_file():
        names = theme_names()
        hint = did_you_mean(name, names)
        raise ParamError(f"unknown theme '{name}'; {hint}available themes: {', '.join(names)}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["runs"] = tuple(data["runs"])
    return Theme(**data)
