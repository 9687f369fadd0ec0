"""A lesson file: a title, render defaults, and the ``[[clip]]`` entries a lecturer wants rendered.

The whole file is checked before anything renders, and every problem is reported at once with
the file, the line and the clip's name, e.g.::

    scenes/x.toml line 14, clip 'zoom-right': unknown parameter 'pint' for zoom-linearity; did you mean 'point'?

Each clip is resolved with :func:`calcanim.clip.resolve_clip`, so a clip is valid exactly when
its plan computes (the plan's own checks run here too), and the lesson's clips are the typed
:class:`~calcanim.clip.Clip` objects the batch runner hands to its workers. tomllib gives no line
numbers for values, so lines are found by scanning the text. No manim is imported here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calcanim.clip import Clip, RenderOptions, Source, option_keys, resolve_clip
from calcanim.errors import CalcanimError, ConfigFileError, ParamError, one_line
from calcanim.files import read_text_file
from calcanim.registry import SCENES
from calcanim.settings import loads_toml
from calcanim.suggest import did_you_mean

#: Render settings a lesson may set in ``[defaults]`` or on any clip (the fields of RenderOptions).
OPTION_KEYS = option_keys()
CLIP_KEYS = ("name", "scene", "title", "params", *OPTION_KEYS)
LESSON_KEYS = ("title", "name", "description")
TOP_KEYS = ("lesson", "defaults", "clip")
#: Clip and lesson names become file names: letters, digits, '-', '_' and '.', not leading with '.'.
FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")

_CLIP_HEADER = re.compile(r"^\s*\[\[\s*clip\s*\]\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, where it is."""

    line: int | None
    clip: str | None
    message: str

    def text(self, path: Path | str) -> str:
        where = f"{path} line {self.line}" if self.line else str(path)
        if self.clip:
            where += f", clip '{self.clip}'"
        return f"{where}: {self.message}"


class LessonError(ConfigFileError):
    """A lesson file has problems; ``problems`` holds all of them, the message lists them one a line."""

    def __init__(self, path: Path | str, problems: Sequence[Problem]) -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [one_line(p.text(path)) for p in self.problems]
        head = one_line(f"lesson file {path} has {count} problem{'s' if count != 1 else ''}; nothing was rendered")
        super().__init__(head + "\n  " + "\n  ".join(lines) if count != 1 else lines[0])


@dataclass(frozen=True)
class Lesson:
    """A validated lesson file."""

    path: Path
    name: str
    title: str
    clips: tuple[Clip, ...]
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def select(self, only: Sequence[str]) -> tuple[Clip, ...]:
        """The clips named in ``only`` (all when empty); unknown names list the lesson's clips."""
        if not only:
            return self.clips
        names = [c.name for c in self.clips]
        unknown = [n for n in only if n not in names]
        if unknown:
            hints = []
            for n in unknown:
                hints.append(f"'{n}'" + did_you_mean(n, names, " (did you mean '{}'?)", cutoff=0.5))
            raise ConfigFileError(
                f"--only: no clip {', '.join(hints)} in {self.path}; its clips are: {', '.join(names)}"
            )
        return tuple(c for c in self.clips if c.name in set(only))


def load_lesson(path: Path | str) -> Lesson:
    """Read and validate a lesson file; raise :class:`LessonError` listing every problem."""
    path = Path(path)
    text = _read_text(path)
    layout = _SourceLayout(text)
    problems: list[Problem] = []
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as error:
        # Still check every clip block that parses on its own, so all problems come out together.
        data = _parse_blocks(text, layout, problems, error)
    lesson = _validate(path, data, layout, problems)
    if problems:
        raise LessonError(path, sorted(problems, key=lambda p: (p.line or 0)))
    assert lesson is not None
    return lesson


def _read_text(path: Path) -> str:
    return read_text_file(path, "lesson", hint="check the path (lessons live in scenes/)")


class _SourceLayout:
    """Where things are in the text: the line of each ``[[clip]]`` and of keys inside its block."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.clip_starts: list[int] = []  # 0-based line index of each [[clip]] header
        self.block_ends: list[int] = []  # 0-based index one past the block's last line
        for index, line in enumerate(self.lines):
            if _CLIP_HEADER.match(line):
                if self.clip_starts:
                    self.block_ends.append(index)
                self.clip_starts.append(index)
            elif (m := _TABLE_HEADER.match(line)) and self.clip_starts and len(self.block_ends) < len(self.clip_starts):
                if not m.group(1).replace(" ", "").startswith("clip."):
                    self.block_ends.append(index)  # a top-level table ends the clip block
        if len(self.block_ends) < len(self.clip_starts):
            self.block_ends.append(len(self.lines))

    def clip_line(self, index: int) -> int | None:
        return self.clip_starts[index] + 1 if index < len(self.clip_starts) else None

    def key_line(self, index: int, key: str, table: str | None = None) -> int | None:
        """The line of ``key = ...`` in clip ``index`` (inside ``[clip.<table>]`` or an inline table
        when ``table`` is given); the clip's header line when it cannot be found."""
        if index >= len(self.clip_starts):
            return None
        start, end = self.clip_starts[index], self.block_ends[index]
        pattern = re.compile(rf"""(^|[{{,\s])["']?{re.escape(key)}["']?\s*=""")
        section: str | None = None
        for number in range(start + 1, end):
            line = self.lines[number]
            if (m := _TABLE_HEADER.match(line)) and not _CLIP_HEADER.match(line):
                section = m.group(1).replace(" ", "")
                continue
            code = line.split("#", 1)[0]
            if table is None:
                if section is None and pattern.search(code):
                    return number + 1
            elif section == f"clip.{table}" and pattern.search(code):
                return number + 1
            elif section is None and re.match(rf"\s*{re.escape(table)}\s*=", code) and pattern.search(code.split("=", 1)[1]):
                return number + 1
        if table is not None:
            return self.key_line(index, table) or self.clip_line(index)
        return self.clip_line(index)

    def top_key_line(self, table: str, key: str | None = None) -> int | None:
        """The line of ``[table]`` (or of ``key`` inside it) before the first clip."""
        stop = self.clip_starts[0] if self.clip_starts else len(self.lines)
        section: str | None = None
        header_line = None
        for number in range(stop):
            line = self.lines[number]
            if m := _TABLE_HEADER.match(line):
                section = m.group(1).strip()
                if section == table:
                    header_line = number + 1
                continue
            if section == table and key is not None and re.match(rf"""\s*["']?{re.escape(key)}["']?\s*=""", line):
                return number + 1
        return header_line

    def clip_index_at(self, line: int) -> int | None:
        """Which clip block holds 1-based ``line``."""
        for index, (start, end) in enumerate(zip(self.clip_starts, self.block_ends)):
            if start < line <= end:
                return index
        return None


def _toml_error(error: tomllib.TOMLDecodeError, offset: int = 0) -> tuple[int | None, str]:
    message = str(error)
    m = _TOML_LINE.search(message)
    line = int(m.group(1)) + offset if m else None
    reason = _TOML_LINE.sub("", message).strip()
    return line, f"not valid TOML: {reason} (column {m.group(2)})" if m else f"not valid TOML: {reason}"


def _parse_blocks(
    text: str, layout: _SourceLayout, problems: list[Problem], whole_error: tomllib.TOMLDecodeError
) -> dict[str, Any]:
    """Parse the preamble and each clip block on its own, after the whole file failed to parse."""
    lines = layout.lines
    data: dict[str, Any] = {}
    first = layout.clip_starts[0] if layout.clip_starts else len(lines)
    pieces: list[tuple[int, int, int | None]] = [(0, first, None)]
    pieces += [(s, e, i) for i, (s, e) in enumerate(zip(layout.clip_starts, layout.block_ends))]
    # Lines after a clip block (a later top-level table) belong with the preamble.
    tail_start = layout.block_ends[-1] if layout.block_ends else len(lines)
    reported = False
    clips: list[Any] = []
    for start, end, index in pieces:
        chunk = "\n".join(lines[start:end])
        if index is None and tail_start < len(lines):
            chunk_lines = lines[start:end] + [""] * (tail_start - end) + lines[tail_start:]
            chunk = "\n".join(chunk_lines)
        try:
            parsed = loads_toml(chunk)
        except tomllib.TOMLDecodeError as error:
            line, message = _toml_error(error, offset=start)
            name = _guess_clip_name(lines[start:end]) if index is not None else None
            problems.append(Problem(line, name, message))
            reported = True
            clips.append(_UNPARSED)
            continue
        if index is None:
            data.update({k: v for k, v in parsed.items() if k != "clip"})
        else:
            clip_list = parsed.get("clip")
            clips.append(clip_list[0] if isinstance(clip_list, list) and clip_list else _UNPARSED)
    if not reported:  # the blocks parse alone but not together (e.g. a key defined twice across blocks)
        line, message = _toml_error(whole_error)
        index = layout.clip_index_at(line) if line else None
        name = _guess_clip_name(lines[layout.clip_starts[index]:layout.block_ends[index]]) if index is not None else None
        problems.append(Problem(line, name, message))
    data["clip"] = clips
    return data


_UNPARSED = object()


def _guess_clip_name(block: Sequence[str]) -> str | None:
    for line in block:
        if m := re.match(r"""\s*name\s*=\s*["']([^"']*)["']""", line):
            return m.group(1)
    return None


def _validate(path: Path, data: dict[str, Any], layout: _SourceLayout, problems: list[Problem]) -> Lesson | None:
    def problem(line: int | None, clip: str | None, message: str) -> None:
        problems.append(Problem(line, clip, message))

    for key in data:
        if key not in TOP_KEYS:
            problem(layout.top_key_line(key) or _line_of_top_key(layout, key), None,
                    f"unknown top-level key '{key}'{_nearest(key, TOP_KEYS)}; (a lesson has [lesson], [defaults] and [[clip]] entries)")

    def table(name: str, allowed: Sequence[str], example: str) -> dict[str, Any]:
        """The top-level table ``name``, each unknown key reported ({} when it is not a table)."""
        found = data.get(name, {})
        if not isinstance(found, dict):
            problem(_line_of_top_key(layout, name), None, f"'{name}' must be a table: [{name}] with {example}")
            return {}
        for key in found:
            if key not in allowed:
                problem(layout.top_key_line(name, key), None,
                        f"unknown key '{key}' in [{name}]{_nearest(key, allowed)} (allowed: {', '.join(allowed)})")
        return found

    meta = table("lesson", LESSON_KEYS, 'title = "..."')
    name = meta.get("name", path.stem)
    if not isinstance(name, str) or not FILE_SAFE.fullmatch(name):
        problem(layout.top_key_line("lesson", "name"), None,
                f"lesson name {name!r} is not file-safe; use letters, digits, '-', '_' or '.' (it names the output folder)")
    title = meta.get("title", name)
    if not isinstance(title, str):
        problem(layout.top_key_line("lesson", "title"), None, f"lesson title must be text, got {title!r}")
        title = str(title)
    description = meta.get("description", "")
    if not isinstance(description, str):
        problem(layout.top_key_line("lesson", "description"), None, f"lesson description must be text, got {description!r}")
        description = ""

    defaults = _theme_beside_lesson(
        {k: v for k, v in table("defaults", OPTION_KEYS, 'quality = "low" ...').items() if k in OPTION_KEYS}, path
    )
    defaults_ok = _options_problem({**defaults}) is None
    if not defaults_ok:
        problem(layout.top_key_line("defaults"), None, f"[defaults]: {_options_problem(defaults)}")

    raw_clips = data.get("clip", [])
    if not isinstance(raw_clips, list):
        problem(_line_of_top_key(layout, "clip"), None, "clips are written as [[clip]] entries (an array of tables)")
        raw_clips = []
    if not raw_clips and not problems:
        problem(None, None, "no clips; add [[clip]] entries with name, scene and [clip.params]")

    clips: list[Clip] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_clips):
        if raw is _UNPARSED:
            continue
        header = layout.clip_line(index)
        clip_name = raw.get("name") if isinstance(raw, dict) else None
        label = clip_name if isinstance(clip_name, str) else f"#{index + 1}"
        if not isinstance(raw, dict):
            problem(header, label, "a clip must be a table")
            continue
        before = len(problems)
        for key in raw:
            if key not in CLIP_KEYS:
                problem(layout.key_line(index, key), label,
                        f"unknown key '{key}'{_nearest(key, CLIP_KEYS)} (a clip has {', '.join(CLIP_KEYS)})")
        if clip_name is None:
            problem(header, label, "missing name; add name = \"...\" (it names the output files)")
        elif not isinstance(clip_name, str) or not FILE_SAFE.fullmatch(clip_name):
            problem(layout.key_line(index, "name"), label,
                    f"name {clip_name!r} is not file-safe; use letters, digits, '-', '_' or '.', at most 64, not starting with '.'")
        else:
            folded = clip_name.lower()  # case-insensitive: the files must not collide on macOS or Windows
            if folded in seen:
                problem(layout.key_line(index, "name"), label,
                        f"duplicate clip name '{clip_name}' (first used on line {seen[folded]}); clip names must be unique")
            else:
                seen[folded] = layout.key_line(index, "name")
        clip_title = raw.get("title", "")
        if not isinstance(clip_title, str):
            problem(layout.key_line(index, "title"), label, f"title must be text, got {clip_title!r}")
        scene = raw.get("scene")
        entry = None
        if scene is None:
            problem(header, label, f"missing scene; add scene = \"...\", one of {', '.join(SCENES)}")
        elif not isinstance(scene, str) or scene not in SCENES:
            hint = _nearest(str(scene), list(SCENES), cutoff=0.4)
            problem(layout.key_line(index, "scene"), label,
                    f"unknown scene {scene!r}{hint} (available scenes: {', '.join(SCENES)})")
        else:
            entry = SCENES[scene]
        values = raw.get("params", {})
        if not isinstance(values, dict):
            problem(layout.key_line(index, "params"), label, "params must be a table: [clip.params] or params = { ... }")
            values = {}
        if entry is None or _unknown_params(entry.params_class.field_names(), entry.name, values, index, label, layout,
                                           problem):
            continue
        options = {**defaults, **_theme_beside_lesson({k: raw[k] for k in OPTION_KEYS if k in raw}, path)}
        if not defaults_ok and not any(k in raw for k in OPTION_KEYS):
            options = {}  # [defaults] is reported once, above; do not repeat it for every clip
        key_lines = {k: layout.key_line(index, k, table="params") for k in values}
        key_lines |= {k: layout.top_key_line("defaults", k) for k in defaults}
        key_lines |= {k: layout.key_line(index, k) for k in OPTION_KEYS if k in raw}
        source = Source(label=str(path), clip=label, line=header,
                        key_lines=tuple((k, v) for k, v in key_lines.items() if v is not None))
        try:  # the options on their own first, so a bad option and a bad param are both reported
            render_options = RenderOptions.from_mapping(options)
        except ParamError as error:
            problem(source.line_of(error.field), label, str(error))
            render_options = RenderOptions()
        try:
            clip = resolve_clip(entry, values, render_options, source, name=str(clip_name), title=str(clip_title))
        except ParamError as error:
            problem(source.line_of(error.field), label, str(error))
            continue
        if len(problems) == before:
            clips.append(clip)
    if problems:
        return None
    return Lesson(path=path, name=name, title=title, description=description, clips=tuple(clips), defaults=defaults)


def _unknown_params(
    names: Sequence[str], scene: str, values: Mapping[str, Any], index: int, label: str, layout: _SourceLayout,
    problem: Any,
) -> bool:
    """Report every key of ``values`` that is not a parameter of ``scene``, each on its own line;
    True when there was one."""
    unknown = [key for key in values if key not in names]
    for key in unknown:
        hint = _nearest(key, names, cutoff=0.5)
        problem(layout.key_line(index, key, table="params"), label,
                f"unknown parameter '{key}' for {scene}{hint} (valid parameters: {', '.join(names)})")
    return bool(unknown)


def _theme_beside_lesson(options: dict[str, Any], lesson: Path) -> dict[str, Any]:
    """A user theme file (theme = "uni.toml") is found relative to the lesson file, like a lecturer expects."""
    theme = options.get("theme")
    if isinstance(theme, str) and theme.lower().endswith(".toml") and not Path(theme).is_absolute():
        return {**options, "theme": str(lesson.parent / theme)}
    return options


def _options_problem(options: Mapping[str, Any]) -> str | None:
    try:
        RenderOptions.from_mapping(options)
    except CalcanimError as error:
        return str(error)
    return None


def _line_of_top_key(layout: _SourceLayout, key: str) -> int | None:
    for number, line in enumerate(layout.lines):
        if re.match(rf"""\s*(\[+\s*)?["']?{re.escape(key)}["']?\s*(=|\])""", line):
            return number + 1
    return None


def _nearest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str:
    return did_you_mean(word, choices, "; did you mean '{}'?", cutoff)
