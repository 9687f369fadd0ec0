"""The calcanim command line: a thin shell that parses, builds params, calls the library, and maps
every CalcanimError to one line on stderr and exit code 2.

Nothing here imports manim at module level: `list`, `show`, `inspect` and `--help` answer at once.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import textwrap
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from calcanim import __version__
from calcanim.clip import Clip, RenderOptions, Source, resolve_clip
from calcanim.errors import CalcanimError, one_line
from calcanim.formats import ENCODERS, FORMATS, format_of_output
from calcanim.json_data import json_default, plain_json
from calcanim.registry import SCENES, get_scene
from calcanim.settings import gather_values
from calcanim.style.layout import ASPECTS, QUALITIES

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USER_ERROR = 2


def fail(message: str) -> NoReturn:
    click.echo(f"calcanim: error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


def user_errors(command: F) -> F:
    """Turn a CalcanimError into one line on stderr and exit code 2; Ctrl-C into exit 130, and
    SIGTERM or SIGHUP, handled the same way (temp folders removed), into 128 + the signal."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from calcanim.stop_signals import Terminated, stop_signals_raise

        try:
            with stop_signals_raise(then_exit=True):
                return command(*args, **kwargs)
        except CalcanimError as error:
            several = len(getattr(error, "problems", ())) > 1  # a lesson's problems, one a line (each made one line)
            fail(str(error) if several else one_line(str(error)))
        except Terminated as stop:
            click.echo(f"calcanim: stopped by {stop.args[0]}; nothing partial was left in the output folder", err=True)
            sys.exit(stop.exit_code)
        except KeyboardInterrupt:
            click.echo("calcanim: interrupted; nothing partial was left in the output folder", err=True)
            sys.exit(130)

    return typing.cast(F, wrapper)


def scene_options(command: F) -> F:
    """The options every scene command takes: where its parameters come from."""
    command = click.option(
        "--set",
        "pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="Set one parameter; VALUE is a TOML value (10000, [1, 10], true) or plain text (sin(x)). Repeatable.",
    )(command)
    command = click.option(
        "--config",
        type=click.Path(path_type=Path),
        help="TOML file with the scene's parameters (top level, or a [scene-name] table).",
    )(command)
    return click.argument("scene")(command)


def build_clip(scene: str, config: Path | None, pairs: Sequence[str], options: RenderOptions = RenderOptions()) -> Clip:
    """The clip the command line describes: params from --config and --set, checked and planned."""
    entry = get_scene(scene)
    values = gather_values(entry.name, config, pairs)
    return resolve_clip(entry, values, options, Source(label="--config/--set" if config else "--set"))


class OneLineErrors(click.Group):
    """Click's usage errors as one line too ("calcanim: error: ..."), exit code 2, like our own."""

    def main(  # always exits (standalone_mode is ignored: errors are printed here, as one line)
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        extra["complete_var"] = complete_var
        try:
            code = super().main(args, prog_name or "calcanim", standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as error:
            ctx = getattr(error, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            click.echo(one_line(f"calcanim: error: {error.format_message()}{hint}"), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("calcanim: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="calcanim")
def main() -> None:
    """Render calculus-for-machine-learning ideas as lecture-ready video clips.

    \b
    Start here:
      calcanim list                              the clips there are
      calcanim show limit-climb                  a clip's parameters
      calcanim inspect limit-climb               the numbers it will show
      calcanim render limit-climb -q low         a quick preview
      calcanim render limit-climb --set n_max=1000 --set 'marks=[1, 10, 100, 1000]'
      calcanim batch scenes/e-and-linearity.toml every clip of a lesson
    """


@main.command("list")
def list_scenes() -> None:
    """List every clip with a one-line summary."""
    width = max(len(name) for name in SCENES)
    for name, entry in SCENES.items():
        click.echo(f"{name.ljust(width)}  {entry.summary}")


@main.command()
@click.argument("scene")
@user_errors
def show(scene: str) -> None:
    """Show a clip's parameters: name, type, default, allowed values, help."""
    entry = get_scene(scene)
    click.echo(f"{entry.name}: {entry.summary}\n")
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    rows = entry.params_class.describe()
    for row in rows:
        click.echo(f"{row.name} ({row.type_text}) = {_json_text(row.default)}")
        wrap = functools.partial(textwrap.fill, width=width, initial_indent="    ", subsequent_indent="    ",
                                 break_on_hyphens=False)
        if row.allowed != "any":
            click.echo(wrap(f"allowed: {row.allowed}"))
        click.echo(wrap(row.help))
    click.echo(f"\nSet any of them with --set KEY=VALUE or in a --config TOML file, e.g.\n"
               f"  calcanim render {entry.name} --set {rows[0].name}={_json_text(rows[0].default)}")


@main.command()
@scene_options
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@user_errors
def inspect(scene: str, config: Path | None, pairs: Sequence[str], fmt: str) -> None:
    """Print the numbers a clip will show, without rendering it."""
    data = build_clip(scene, config, pairs).plan().to_json()
    if fmt == "json":
        click.echo(json.dumps(plain_json(data), indent=2, allow_nan=False))
    else:
        click.echo(_plan_table(data))


@main.command()
@scene_options
@click.option("-q", "--quality", type=click.Choice(list(QUALITIES)), default="high", show_default=True,
              help="low 854x480@15, medium 1280x720@30, high 1920x1080@60, 4k 3840x2160@60.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="mp4 (H.264, plays everywhere; the default), webm (VP9), gif, png (a poster frame), mov "
                   "(ProRes, with --transparent). Default: the -o file's extension, else mp4.")
@click.option("--encoder", type=click.Choice(list(ENCODERS)), default="fast", show_default=True,
              help="H.264 trade-off: fast (quickest to render, larger files) or small (about a third of the size, "
                   "slower to encode; see bench/RESULTS.md).")
@click.option("--theme", default="dark", show_default=True,
              help="dark, light or high-contrast, or a path to your own theme file (NAME.toml, same keys).")
@click.option("--aspect", type=click.Choice(list(ASPECTS)), default="16:9", show_default=True)
@click.option("--transparent", is_flag=True, help="Transparent background (webm or mov).")
@click.option("--no-captions", is_flag=True, help="Do not write .srt/.vtt captions beside the video.")
@click.option("--force", is_flag=True, help="Render again even if an identical clip is already there.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: renders/<scene>/<scene>-<hash>.<ext>).")
@click.option("--preview", is_flag=True, help="Open the finished file in the system viewer.")
@click.option("-j", "--jobs", type=int, default=1, show_default=True,
              help="Processes rendering parts of the clip at once (same frames, same file; see bench/RESULTS.md).")
@click.option("--quiet", is_flag=True, help="No progress line and no notes on stderr: only the finished path on stdout.")
@click.option("--watch", is_flag=True,
              help="Keep running and render again each time the --config file is saved (fast previews: "
                   "manim stays loaded). Ctrl-C stops.")
@user_errors
def render(
    scene: str,
    config: Path | None,
    pairs: Sequence[str],
    quality: str,
    fmt: str | None,
    encoder: str,
    theme: str,
    aspect: str,
    transparent: bool,
    no_captions: bool,
    force: bool,
    output: Path | None,
    preview: bool,
    jobs: int,
    quiet: bool,
    watch: bool,
) -> None:
    """Render a clip to video and print the path of the finished file."""
    from calcanim.rendering import open_in_viewer
    from calcanim.rendering import render as render_to_file

    if watch and config is None:
        fail("--watch needs --config FILE: the parameter file whose changes trigger a new render")
    options = RenderOptions(
        quality=quality, format=format_of_output(str(output or ""), fmt), theme=theme, aspect=aspect,
        transparent=transparent, captions=not no_captions, encoder=encoder,
    )
    if watch and config is not None:  # what saving the config cannot fix (a FIFO or device, a bad -o, --jobs) ends now
        from calcanim.files import read_text_file
        from calcanim.rendering import resolve_output
        from calcanim.rendering.split import check_jobs, refuse_unsplittable
        from calcanim.settings import parse_set_pairs

        read_text_file(config, "--config")
        parse_set_pairs(pairs)
        if output is not None:
            resolve_output(output, options)
        entry = get_scene(scene)
        refuse_unsplittable(Clip(scene=entry.name, params=entry.params_class(), options=options), check_jobs(jobs))

    def note(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    def render_once() -> None:
        clip = build_clip(scene, config, pairs, options)
        target = output if output is not None else clip.default_output()
        poster = None if clip.options.format == "png" else target.with_suffix(".png")
        result = render_to_file(clip, target, force=force, progress=not quiet, poster=poster, jobs=jobs)
        if result.cached:
            note("cached: an identical clip is already there (use --force to render again)")
        for extra in result.extras:
            note(f"wrote {extra}")
        if preview:
            problem = open_in_viewer(result.path)
            if problem:
                click.echo(problem, err=True)
        click.echo(str(result.path))

    if not watch or config is None:
        render_once()
        return
    from calcanim.watch import watch as watch_file

    click.echo(f"watching {config}: save it to render again; Ctrl-C stops", err=True)
    from calcanim.stop_signals import Terminated

    try:
        watch_file(config, render_once, lambda problem: click.echo(f"calcanim: error: {one_line(problem)}", err=True))
    except Terminated:
        raise  # SIGTERM/SIGHUP: a stop from outside, reported with its exit code
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


@main.command()
@click.argument("lesson", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Parallel workers (default: one per core).")
@click.option("--only", multiple=True, metavar="NAME", help="Render only this clip (repeatable).")
@click.option("--force", is_flag=True, help="Render again even if cached.")
@click.option("-q", "--quality", type=click.Choice(list(QUALITIES)), default=None,
              help="Override every clip's quality.")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the lesson (default: renders/<lesson>).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Render on a running Dask cluster (tcp://host:port); workers need calcanim[dask] at this version.")
@click.option("--cluster", metavar="local:N", default=None,
              help="Start a Dask LocalCluster of N worker processes on this machine and render on it.")
@click.option("--cut-long-clips", "cut_long", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Cut a clip much longer than the rest into windows rendered side by side: auto does it when "
                   "there are cores to spare (not on 2 cores; every Dask worker counts).")
@user_errors
def batch(lesson: Path, jobs: int | None, only: Sequence[str], force: bool, quality: str | None,
          output_dir: Path | None, scheduler: str | None, cluster: str | None, cut_long: str) -> None:
    """Render every clip of a lesson file in parallel, with a manifest and a gallery page.

    The whole file is checked first; clips already rendered with the same settings are skipped.
    With --scheduler or --cluster the clips render on a Dask cluster; the files come back here.
    """
    from calcanim.batch import run_lesson
    from calcanim.errors import RenderError

    split = {"auto": None, "always": True, "never": False}[cut_long]
    if scheduler is not None and cluster is not None:
        fail("use --scheduler ADDRESS or --cluster local:N, not both")
    if scheduler is not None or cluster is not None:
        from calcanim.batch.cluster import connect, parse_cluster

        from calcanim.lesson import load_lesson

        load_lesson(lesson)  # every problem in the file is reported before a cluster starts
        local = parse_cluster(cluster) if cluster is not None else None
        with connect(scheduler, local, stream=sys.stderr) as dask:
            summary = run_lesson(lesson, jobs=jobs or dask.workers, only=only, force=force, quality=quality,
                                 output_dir=output_dir, executor_factory=dask.factory, split=split)
    else:
        summary = run_lesson(lesson, jobs=jobs, only=only, force=force, quality=quality, output_dir=output_dir,
                             split=split)
    click.echo(str(summary.gallery))
    if summary.failed:
        names = ", ".join(o.name for o in summary.failed)
        raise RenderError(
            f"{len(summary.failed)} of {len(summary.outcomes)} clips failed ({names}); the finished ones are in "
            f"{summary.folder}; run the same command again to retry only the missing ones"
        )


@main.command()
@click.argument("lesson", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the presenter (default: renders/<lesson>/slides).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Parallel workers (default: one per core).")
@click.option("-q", "--quality", type=click.Choice(list(QUALITIES)), default=None,
              help="Override every clip's quality.")
@click.option("--force", is_flag=True, help="Render and cut again even if cached.")
@user_errors
def slides(lesson: Path, output_dir: Path | None, jobs: int | None, quality: str | None, force: bool) -> None:
    """Turn a lesson into a presenter for class: each clip split at its natural stops.

    \b
    Open the printed slides.html in a browser (it loads nothing from the network):
      -> / Space / PageDown / click   next segment (it plays, then holds)
      <- / PageUp                     back          Home / End   first / last
      F  fullscreen                   S  speaker notes (the caption text)
    """
    from calcanim.slides.build import build_slides

    result = build_slides(lesson, output_dir=output_dir, jobs=jobs, quality=quality, force=force)
    click.echo(f"{result.segments} segment(s) ({result.reused} clip(s) reused) in {result.folder}", err=True)
    click.echo(str(result.page))


@main.command()
@click.argument("clips", nargs=-1, metavar="[CLIP]...")
@click.option("--aspect", "aspects", multiple=True, metavar="A", help="16:9, 9:16, 1:1 or 4:3 (repeatable; default all).")
@click.option("--theme", "themes", multiple=True, metavar="T", help="A theme (repeatable; default all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Parallel workers.")
@user_errors
def audit(clips: Sequence[str], aspects: Sequence[str], themes: Sequence[str], fmt: str, jobs: int) -> None:
    """Check clips' layout without rendering: overlapping, crossed, clipped, tiny or faint text.

    Plays each clip (default parameters; no CLIP = every clip) without drawing and reports problems
    at sampled frames. Exit code 1 if anything was found.
    """
    from calcanim.audit.run import audit_matrix, report_text, summary_text, to_json, validate

    names, aspect_list, theme_list = validate(clips, aspects, themes)
    show = (lambda r: click.echo(report_text(r))) if fmt == "text" else None
    reports = audit_matrix(names, aspect_list, theme_list, jobs=jobs, on_report=show)
    click.echo(to_json(reports) if fmt == "json" else summary_text(reports))
    sys.exit(1 if any(r.findings for r in reports) else 0)


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value or '""'
    return json.dumps(value, default=json_default)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(map(str, headers))] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


#: The text summary of `inspect` keeps cells and tables this small; --format json has everything.
CELL_WIDTH = 48
TABLE_ROWS = 12


def _cell(value: Any) -> str:
    """A table cell; a long list shows its length, first and last items.

    >>> _cell([[0.0, 1.5], [0.25, 1.25], [0.5, 1.0]] * 20)
    '60 items: [0.0, 1.5] ... [0.5, 1.0]'
    """
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        text = json.dumps(value, default=json_default)
        if len(text) <= CELL_WIDTH:
            return text
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return f"{len(value)} records (see --format json)"
        if isinstance(value, list) and value:
            first, last = (_short(json.dumps(v, default=json_default)) for v in (value[0], value[-1]))
            return _short(f"{len(value)} items: {first} ... {last}", 2 * CELL_WIDTH)
        return _short(text)
    text = "" if value is None else str(value)
    return _short(text)


def _short(text: str, width: int = CELL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _plan_table(data: dict[str, Any]) -> str:
    """Scalars as 'key: value' lines, lists of records as tables, params last."""
    scalars, tables = [], []
    for key, value in data.items():
        if key == "params":
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            headers = list(dict.fromkeys(k for row in value for k in row))
            rows = [[row.get(h) for h in headers] for row in value]
            more = ""
            if len(rows) > TABLE_ROWS:
                more = f"\n... {len(rows) - TABLE_ROWS} more rows (--format json has them all)"
                rows = rows[: TABLE_ROWS - 2] + rows[-2:]
            tables.append(f"{key}:\n{_table(headers, rows)}{more}")
        else:
            scalars.append(f"{key}: {_cell(value)}")
    params = data.get("params", {})
    parts = ["\n".join(scalars), *tables]
    if params:
        parts.append("params:\n" + "\n".join(f"  {k} = {_json_text(v)}" for k, v in params.items()))
    return "\n\n".join(p for p in parts if p)


if __name__ == "__main__":  # pragma: no cover
    main()
