"""The "did you mean ...?" hint every error about an unknown name carries."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str], template: str = "did you mean '{}'? ", cutoff: float = 0.6) -> str:
    """``template`` filled with the choice nearest to ``word``, or "" when none is near enough.

    >>> did_you_mean("sni", ["sin", "cos"]), did_you_mean("zzz", ["sin"])
    ("did you mean 'sin'? ", '')
    >>> did_you_mean("adm", ["gd", "adam"], " Did you mean {!r}?")
    " Did you mean 'adam'?"
    """
    nearest = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return template.format(nearest[0]) if nearest else ""
