"""Themes are data (assets/themes/*.toml) that every scene reads; no scene hard-codes a colour.

Rules every theme keeps (tests/style/test_themes.py checks each file, ``theme_problems`` says what
is wrong):

* status colours are reserved: ``good`` (converged, locked) and ``bad`` (diverged, escaped) are
  never a run colour, nor near one (CIE76 colour distance at least ``STATUS_DISTANCE``), so a
  diverging run is never drawn in the colour of the word "converged". Ask ``theme.status_colour``;
* every colour that may set text (all but ``grid``) has at least 4.5:1 contrast against the
  background, so it also clears the 3:1 lines need; ``grid`` is decoration, exempt.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from calcanim.errors import ParamError
from calcanim.style.assets import assets_dir
from calcanim.style.contrast import TEXT_MIN_CONTRAST, contrast_ratio, hex_to_rgb
from calcanim.suggest import did_you_mean

DEFAULT_THEME = "dark"
#: Status word -> the theme field that colours it.
STATUS_FIELDS = {"converged": "good", "locked": "good", "good": "good", "diverged": "bad", "escaped": "bad", "bad": "bad"}
#: Smallest CIE76 distance between a status colour and any run colour (about 2.3 is "just noticeable").
STATUS_DISTANCE = 30.0
#: Theme fields that are colours, besides runs.
COLOUR_FIELDS = ("text", "muted", "axis", "grid", "curve", "point", "reference", "good", "bad", "accent")
#: Colours exempt from the contrast rule: decoration nobody has to read.
DECORATIVE_FIELDS = ("grid",)


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

    def status_colour(self, status: str) -> str:
        """The reserved colour of a run's status ("converged", "diverged", "locked", "escaped").

        >>> load_theme("light").status_colour("diverged") == load_theme("light").bad
        True
        """
        try:
            return str(getattr(self, STATUS_FIELDS[status]))
        except KeyError:
            raise ParamError(f"unknown status '{status}'; use one of {', '.join(STATUS_FIELDS)}") from None


def colour_distance(a: str, b: str) -> float:
    """CIE76 distance between two sRGB hex colours in CIELAB (D65).

    >>> round(colour_distance("#000000", "#FFFFFF"), 1)
    100.0
    """
    (l1, a1, b1), (l2, a2, b2) = _lab(a), _lab(b)
    return float(((l1 - l2) ** 2 + (a1 - a2) ** 2 + (b1 - b2) ** 2) ** 0.5)


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in hex_to_rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def theme_problems(theme: Theme) -> list[str]:
    """What breaks the theme rules (empty when none): reserved status colours and contrast."""
    problems = []
    for status in ("good", "bad"):
        colour = getattr(theme, status)
        for run in theme.runs:
            distance = colour_distance(colour, run)
            if distance < STATUS_DISTANCE:
                problems.append(f"{theme.name}: run colour {run} is too close to status colour {status} {colour} "
                                f"(distance {distance:.1f} < {STATUS_DISTANCE})")
    colours = [(f, getattr(theme, f)) for f in COLOUR_FIELDS if f not in DECORATIVE_FIELDS]
    colours += [(f"runs[{i}]", c) for i, c in enumerate(theme.runs)]
    for field_name, colour in colours:
        ratio = contrast_ratio(colour, theme.background)
        if ratio < TEXT_MIN_CONTRAST:
            problems.append(f"{theme.name}: {field_name} {colour} has contrast {ratio:.2f}:1 on {theme.background}, "
                            f"below {TEXT_MIN_CONTRAST}:1")
    return problems


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
