"""Themes are data that every scene reads; no scene hard-codes a colour.

Built-in themes (assets/themes/*.toml) are chosen by name: ``dark``, ``light``, ``high-contrast``.
A user theme (a university's colours, say) is an explicit path to a ``.toml`` file with the same
keys, checked against the schema below with one-line errors. What a theme looks like is its
contents, so :func:`theme_fingerprint` (which the cache key uses) hashes those, not its name.

Rules every theme keeps (tests/style/test_themes.py checks each file, ``theme_problems`` says what
is wrong):

* status colours are reserved: ``good`` (converged, locked) and ``bad`` (diverged, escaped) are
  never a run colour, nor near one (CIE76 colour distance at least ``STATUS_DISTANCE``), so a
  diverging run is never drawn in the colour of the word "converged". Ask ``theme.status_colour``;
* every colour that may set text (all but ``grid``) has at least 4.5:1 contrast against the
  background, so it also clears the 3:1 lines need; ``grid`` is decoration, exempt.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import re
import reprlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calcanim.errors import ConfigFileError, ParamError
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


#: A colour is written as "#RRGGBB" (hex digits, either case).
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\Z")
_COLOUR_KEYS = tuple(
    f.name for f in dataclasses.fields(Theme) if f.type in ("str", str) and f.name != "name"
)
_SCALE_KEYS = ("stroke_scale", "text_scale")
_SCALE_RANGE = (0.25, 4.0)
_MAX_RUN_COLOURS = 12
_THEME_KEYS = tuple(f.name for f in dataclasses.fields(Theme))


def is_theme_file(theme: str) -> bool:
    """A --theme value names a user theme file when it ends in .toml; anything else is a built-in name."""
    return theme.lower().endswith(".toml")


def load_theme(theme: str = DEFAULT_THEME) -> Theme:
    """A built-in theme by name, or a user theme from a ``.toml`` path; a one-line ParamError or
    ConfigFileError says what is wrong."""
    if not isinstance(theme, str):
        raise ParamError(f"theme must be text (a name or a .toml path), got {theme!r}")
    if is_theme_file(theme):
        return load_theme_file(Path(theme))
    return _builtin_theme(theme)


@functools.cache
def _builtin_theme(name: str) -> Theme:
    names = theme_names()
    if name not in names:  # also refuses paths such as ../../x: built-ins are names only
        hint = did_you_mean(name, names)
        raise ParamError(
            f"unknown theme {name!r}; {hint}available themes: {', '.join(names)} "
            "(or a path to your own theme file ending in .toml)"
        )
    return load_theme_file(assets_dir() / "themes" / f"{name}.toml")


def load_theme_file(path: Path) -> Theme:
    """Read and check a theme file: every colour key present as "#RRGGBB", runs a list of colours,
    the two scales numbers in [0.25, 4], no unknown keys."""
    from calcanim.files import read_text_file
    from calcanim.settings import loads_toml

    text = read_text_file(path, "theme", hint="check the path, or use a built-in theme: " + ", ".join(theme_names()))
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"theme '{path}' is not valid TOML: {error}; fix that line") from None
    return Theme(**_checked_theme_data(data, path))


def _checked_theme_data(data: dict[str, Any], path: Path) -> dict[str, Any]:
    def fail(problem: str) -> None:
        raise ConfigFileError(f"theme '{path}': {problem} (see assets/themes/dark.toml for every key)")

    for key in data:
        if key not in _THEME_KEYS:
            fail(f"unknown key {key!r}" + did_you_mean(key, _THEME_KEYS, "; did you mean '{}'?")
                 + f" (keys: {', '.join(_THEME_KEYS)})")
    missing = [key for key in (*_COLOUR_KEYS, "runs") if key not in data]
    if missing:
        fail(f"missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        fail(f"name must be text, got {name!r}")
    for key in _COLOUR_KEYS:
        if not (isinstance(data[key], str) and _COLOUR.match(data[key])):
            fail(f"{key} must be a colour like \"#1A2B3C\", got {_short(data[key])}")
    runs = data["runs"]
    if not isinstance(runs, list) or not 1 <= len(runs) <= _MAX_RUN_COLOURS:
        fail(f"runs must be a list of 1 to {_MAX_RUN_COLOURS} colours, got {_short(runs)}")
    for colour in runs:
        if not (isinstance(colour, str) and _COLOUR.match(colour)):
            fail(f"every colour in runs must be like \"#1A2B3C\", got {_short(colour)}")
    low, high = _SCALE_RANGE
    for key in _SCALE_KEYS:
        value = data.get(key, 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(float(value)) and low <= value <= high
        ):
            fail(f"{key} must be a number from {low:g} to {high:g}, got {_short(value)}")
    return {**data, "name": name, "runs": tuple(runs), **{k: float(data.get(k, 1.0)) for k in _SCALE_KEYS}}


def _short(value: Any) -> str:
    """A bounded repr for messages (TOML integers stay below Python's 4300-digit str limit)."""
    return reprlib.repr(value)


def theme_fingerprint(theme: str) -> str:
    """The sha256 of a theme's contents (every colour and scale, not its name or path), for the
    cache key: editing a user theme file renders its clips again; renaming or moving it does not.

    >>> theme_fingerprint("dark") == theme_fingerprint("dark"), theme_fingerprint("dark") == theme_fingerprint("light")
    (True, False)
    """
    values = dataclasses.asdict(load_theme(theme))
    del values["name"]
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def theme_key(theme: str) -> str:
    """What the cache key records of a theme: a built-in's name (its file is in the assets digest
    already), a user theme's contents by :func:`theme_fingerprint`, never its path."""
    return f"file:{theme_fingerprint(theme)}" if is_theme_file(theme) else theme
