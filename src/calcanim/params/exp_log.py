"""Parameters of the exp-log clip: e^x and ln x as mirror images across y = x."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param


@dataclass(frozen=True, kw_only=True)
class ExpLogParams(SceneParams):
    """e^x mirrored into ln x across y = x; ln is defined only for x > 0; ln 1 = 0 and ln(e^k) = k."""

    scene_name: ClassVar[str] = "exp-log"

    k: float = param(1.5, "the power k of the readout ln(e^k) = k (e^k must fit on screen)", ge=-2.5, le=2.0)
    decimals: int = param(4, "decimal places of e^k in the readout", ge=1, le=8)
    pace: float = param(1.0, "stretch every beat of the clip by this factor", ge=0.5, le=3.0)
