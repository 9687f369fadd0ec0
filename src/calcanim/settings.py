"""Where a scene's parameters come from: defaults < a TOML config file < ``--set KEY=VALUE`` pairs.

No manim, numpy or sympy here: reading settings must be instant.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from calcanim.errors import ConfigFileError, ParamError
from calcanim.files import read_text_file


def loads_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with its two other failures made TOMLDecodeError too: arrays or tables
    nested too deeply for Python's recursion limit, and integers too long for int().

    >>> loads_toml("v = " + "[" * 5000 + "]" * 5000)
    Traceback (most recent call last):
    ...
    tomllib.TOMLDecodeError: arrays or tables nested too deeply (at most a few hundred levels)
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or tables nested too deeply (at most a few hundred levels)") from None
    except (ValueError, MemoryError):
        raise tomllib.TOMLDecodeError("a number too long to read (more than 4300 digits)") from None


def parse_set_value(text: str) -> Any:
    """A ``--set`` value: a TOML value when it is one, else the plain text.

    >>> parse_set_value("10000"), parse_set_value("[1, 10, 100]"), parse_set_value("sin(x)")
    (10000, [1, 10, 100], 'sin(x)')
    >>> parse_set_value("e"), parse_set_value("true"), parse_set_value("'quoted'")
    ('e', True, 'quoted')
    >>> parse_set_value("[" * 3000 + "]" * 3000)
    Traceback (most recent call last):
    ...
    calcanim.errors.ParamError: arrays or tables nested too deeply (at most a few hundred levels)
    """
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ParamError("arrays or tables nested too deeply (at most a few hundred levels)") from None
    except (ValueError, MemoryError):
        raise ParamError("a number too long to read (more than 4300 digits)") from None


def parse_set_pairs(pairs: Iterable[str]) -> dict[str, Any]:
    """``["n_max=100", "marks=[1, 10]"]`` -> ``{"n_max": 100, "marks": [1, 10]}``; later pairs win.

    >>> parse_set_pairs(["n_max=100", "function=x**2 + 1"])
    {'n_max': 100, 'function': 'x**2 + 1'}
    """
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParamError(f"--set needs KEY=VALUE, got '{pair}'; for example --set n_max=1000")
        try:
            values[key] = parse_set_value(raw.strip())
        except ParamError as error:
            raise ParamError(f"invalid value for '--set {key}': {error}") from None
    return values


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; unreadable or invalid files raise ConfigFileError naming the line."""
    text = read_text_file(path)
    try:
        return loads_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(f"'{path}' is not valid TOML: {error}; fix that line") from None


def scene_table(data: Mapping[str, Any], scene: str) -> dict[str, Any]:
    """The scene's parameters in a config file: a ``[scene-name]`` table if there is one, else the top level.

    >>> scene_table({"limit-climb": {"n_max": 10}}, "limit-climb"), scene_table({"n_max": 10}, "limit-climb")
    ({'n_max': 10}, {'n_max': 10})
    """
    table = data.get(scene)
    if isinstance(table, Mapping):
        return dict(table)
    return dict(data)


def gather_values(scene: str, config: Path | None, pairs: Iterable[str]) -> dict[str, Any]:
    """Defaults < config file < --set pairs, as one mapping for ``Params.from_mapping``."""
    values: dict[str, Any] = {}
    if config is not None:
        values.update(scene_table(read_toml(config), scene))
    values.update(parse_set_pairs(pairs))
    return values
