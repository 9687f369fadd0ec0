"""One resolved clip: which scene, its checked params, how to render it, and where its values came
from. Built once by :func:`resolve_clip` (from ``--set``/``--config``, a watched file, or a lesson's
``[[clip]]``) and passed as is to the renderer and to batch workers (it pickles).

A clip is valid exactly when its plan computes: :func:`resolve_clip` runs the params checks and
the plan's own checks (a custom loss that does not parse, a start outside the domain) together.
No manim here; the plan's numpy and sympy load only when a clip is resolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcanim.clip_key import clip_key
from calcanim.errors import CalcanimError, ParamError
from calcanim.formats import ENCODERS, FORMATS, TRANSPARENT_FORMATS
from calcanim.params.base import SceneParams
from calcanim.registry import SceneEntry, get_scene
from calcanim.style.layout import Layout, make_layout
from calcanim.style.themes import DEFAULT_THEME, load_theme

if TYPE_CHECKING:
    from calcanim.plans.base import Plan

DEFAULT_RENDERS_DIR = Path("renders")


@dataclass(frozen=True)
class RenderOptions:
    """How to render, beside what to render (the params)."""

    quality: str = "high"
    format: str = "mp4"
    theme: str = DEFAULT_THEME
    aspect: str = "16:9"
    captions: bool = True
    transparent: bool = False
    #: x264 speed/size trade-off for mp4, gif and png: "fast" (the default) or "small" (see ENCODERS).
    encoder: str = "fast"

    def __post_init__(self) -> None:
        for key in ("captions", "transparent"):
            if not isinstance(getattr(self, key), bool):
                raise ParamError(f"{key} must be true or false, got {getattr(self, key)!r}", field=key)
        for key in ("quality", "format", "theme", "aspect", "encoder"):
            if not isinstance(getattr(self, key), str):
                raise ParamError(f"{key} must be text, got {getattr(self, key)!r}", field=key)
        if self.encoder not in ENCODERS:
            raise ParamError(f"unknown encoder '{self.encoder}'; use one of {', '.join(ENCODERS)}", field="encoder")
        if self.format not in FORMATS:
            raise ParamError(f"unknown format '{self.format}'; use one of {', '.join(FORMATS)}", field="format")
        if self.transparent and self.format not in TRANSPARENT_FORMATS:
            raise ParamError(
                f"--transparent needs a format with an alpha channel: {', '.join(TRANSPARENT_FORMATS)}; "
                f"got {self.format} (try --format webm or --format mov)",
                field="transparent",
            )
        make_layout(self.quality, self.aspect)  # ParamError naming quality or aspect
        try:
            load_theme(self.theme)
        except CalcanimError as error:
            raise ParamError(str(error), field="theme") from None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RenderOptions:
        """Options from plain data (a lesson's ``[defaults]`` and clip keys); unknown keys are refused."""
        names = option_keys()
        for key in values:
            if key not in names:
                raise ParamError(f"unknown render option '{key}' (allowed: {', '.join(names)})", field=key)
        return cls(**dict(values))

    @property
    def layout(self) -> Layout:
        return make_layout(self.quality, self.aspect)


def option_keys() -> tuple[str, ...]:
    """The render settings a lesson may set, in order: the fields of :class:`RenderOptions`."""
    return tuple(f.name for f in dataclasses.fields(RenderOptions))


@dataclass(frozen=True)
class Source:
    """Where a clip's values were written, to point an error at the right line.

    ``label`` is ``--set``, a config file, or a lesson file; ``line`` the clip's ``[[clip]]`` line in
    a lesson; ``key_lines`` the line of each key (params and
    options) the lesson sets.
    """

    label: str = "--set"
    clip: str = ""
    line: int | None = None
    key_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str | None = None) -> int | None:
        """The line that set ``key``; the clip's own line for a check on the params as a whole."""
        return dict(self.key_lines).get(key, self.line) if key else self.line

    def at(self, key: str | None = None) -> str:
        """``scenes/x.toml line 14, clip 'zoom'``, or the label alone (``--set``)."""
        line = self.line_of(key)
        where = f"{self.label} line {line}" if line else self.label
        return f"{where}, clip '{self.clip}'" if self.clip else where


@dataclass(frozen=True)
class Clip:
    """One clip, checked: a scene, its params (the plan computes), render options, and names.

    ``name`` names the files in a lesson folder; a clip from the command line has none and its
    files are named ``<scene>-<hash>``. The plan is computed once per process and is not pickled
    (it may hold compiled functions): a worker computes it again, once, to draw.
    """

    scene: str
    params: SceneParams
    options: RenderOptions = RenderOptions()
    name: str = ""
    title: str = ""
    source: Source = Source()
    _plan: Any = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_plan"] = None
        return state

    @property
    def entry(self) -> SceneEntry:
        return get_scene(self.scene)

    def plan(self) -> Plan:
        """The clip's numbers (computed on first use in this process)."""
        if self._plan is None:
            object.__setattr__(self, "_plan", self.entry.plan(self.params))
        plan: Plan = self._plan
        return plan

    def key(self) -> str:
        """A stable hash of everything that decides the clip's content (see :func:`clip_key`)."""
        return clip_key(self.scene, self.params.to_dict(), dataclasses.asdict(self.options))

    @property
    def stem(self) -> str:
        """The file name without extension: the lesson's clip name, or ``<scene>-<hash>``."""
        return self.name or f"{self.scene}-{self.key()[:10]}"

    def output_in(self, folder: Path) -> Path:
        return Path(folder) / f"{self.stem}.{self.options.format}"

    def poster_in(self, folder: Path) -> Path | None:
        """The poster png beside the clip (a png clip is its own poster, so None)."""
        return None if self.options.format == "png" else Path(folder) / f"{self.stem}.png"

    def default_output(self, root: Path = DEFAULT_RENDERS_DIR) -> Path:
        """renders/<scene>/<scene>-<hash>.<ext> for a command-line clip: variants never overwrite each other."""
        return self.output_in(Path(root) / self.scene)

    def with_options(self, **changes: Any) -> Clip:
        """The same clip with some render options changed (checked again), e.g. ``quality="low"``."""
        return dataclasses.replace(self, options=dataclasses.replace(self.options, **changes), _plan=self._plan)


def resolve_clip(
    scene: str | SceneEntry,
    values: Mapping[str, Any],
    options: RenderOptions | Mapping[str, Any] = RenderOptions(),
    source: Source = Source(),
    *,
    name: str = "",
    title: str = "",
) -> Clip:
    """Check a clip's params, options and plan together and return the :class:`Clip`.

    Any problem raises :class:`ParamError` whose ``field`` names the key at fault (None when the
    plan rejects the params as a whole) and whose ``source`` says where it was written
    (``scenes/x.toml line 14, clip 'zoom'``, or ``--set``).
    """
    entry = scene if isinstance(scene, SceneEntry) else get_scene(scene)
    with _located(source):
        render_options = options if isinstance(options, RenderOptions) else RenderOptions.from_mapping(options)
    with _located(source):
        params = entry.params_class.from_mapping(values, source=f"clip '{source.clip}'" if source.clip else source.label)
    clip = Clip(scene=entry.name, params=params, options=render_options, name=name, title=title, source=source)
    with _located(source):
        clip.plan()
    return clip


class _located:
    """Re-raise a CalcanimError from inside as a ParamError with ``field`` and ``source`` filled in."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        if not isinstance(error, CalcanimError):
            return None
        key = error.field if isinstance(error, ParamError) else None
        raise ParamError(str(error), field=key, source=self.source.at(key)) from None
