"""What every plan is: the pure result of ``plan(params)``, with every number its clip shows.

mypy checks each plan function against :class:`Plan` (see the registry's type-checking block).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from calcanim.params.base import SceneParams


class Plan(Protocol):
    """``to_json()`` is what `calcanim inspect` prints and the manifest keeps; ``duration`` the seconds
    of video the scene plays; ``poster_time`` the seconds into the clip of its most telling frame
    (the png poster)."""

    @property
    def duration(self) -> float: ...

    @property
    def poster_time(self) -> float: ...

    def to_json(self) -> dict[str, Any]: ...


def plan_header(params: SceneParams, **first: Any) -> dict[str, Any]:
    """The keys every plan's ``to_json()`` starts with: the scene, its params, then ``first`` in order."""
    return {"scene": params.scene_name, "params": params.to_dict(), **first}
