"""index.html for a rendered lesson: each clip's poster and video with its captions track, its
parameters and headline numbers, and a copy-ready embed snippet.

Plain HTML and a little CSS (light and dark follow the reader's system), relative paths only, so
the folder can be copied anywhere or served as it is. Every piece of text goes through html.escape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from calcanim.files import write_text_atomically

VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime"}
#: plan keys that are not headline numbers (shown elsewhere, or too long for a card)
SKIP_NUMBERS = {"scene", "params", "duration", "poster_time", "captions", "views", "status_rules", "levels"}
MAX_SCALARS = 10
MAX_TABLE_ROWS = 12
MAX_TABLE_COLUMNS = 6

STYLE = """
:root { color-scheme: light dark; --bg: #f7f7f5; --card: #ffffff; --ink: #1c1c1e; --muted: #5f6368;
        --line: #d9d9d6; --accent: #1a66c2; --code: #f0f0ed; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121316; --card: #1d1f24; --ink: #ececec; --muted: #a6abb3; --line: #33363d;
          --accent: #7db4ff; --code: #15171b; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; padding-bottom: 8px; }
a { color: var(--accent); }
h1 { margin: 0 0 4px; font-size: 1.8rem; }
header p { margin: 4px 0; color: var(--muted); }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 20px;
       padding-bottom: 40px; }
.clip { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px;
        min-width: 0; }
.clip h2 { margin: 0; font-size: 1.2rem; }
.clip h2 a { color: inherit; text-decoration: none; }
.sub { margin: 2px 0 10px; color: var(--muted); font-size: 0.9rem; }
video, .clip img { display: block; width: 100%; height: auto; border-radius: 6px; background: #000; }
.files { margin: 8px 0 0; font-size: 0.9rem; color: var(--muted); }
.files a { color: var(--accent); margin-right: 10px; }
details { margin-top: 10px; border-top: 1px solid var(--line); padding-top: 8px; }
summary { cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 0.88rem;
        font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top;
         overflow-wrap: break-word; }
.numbers tr:first-child th { white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
.numbers { overflow-x: auto; }
textarea { width: 100%; font: 0.8rem/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
           color: var(--ink); background: var(--code); border: 1px solid var(--line); border-radius: 6px;
           padding: 8px; resize: vertical; }
button { font: inherit; font-size: 0.85rem; color: var(--ink); background: var(--code);
         border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
.clip.stale { border-color: #c8811a; }
.warning { margin: 0 0 10px; padding: 6px 10px; border-radius: 6px; font-size: 0.9rem;
           background: rgba(200, 129, 26, 0.14); border-left: 4px solid #c8811a; }
.missing { grid-column: 1 / -1; background: var(--card); border: 1px dashed var(--line); border-radius: 10px;
           padding: 12px 16px; }
.missing h2 { margin: 0 0 6px; font-size: 1.05rem; }
.missing ul { margin: 0; padding-left: 20px; }
footer { max-width: 1200px; margin: 0 auto; padding: 0 20px 30px; color: var(--muted); font-size: 0.85rem; }
"""

COPY_SCRIPT = """
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var box = document.getElementById(button.dataset.copy);
    box.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard) { navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy"); done(); }); }
    else { document.execCommand("copy"); done(); }
  });
});
"""


def build_gallery(manifest: Mapping[str, Any], *, extra_script: str = "") -> str:
    """The page for a lesson's manifest. ``extra_script`` is appended in a <script> (tests use it)."""
    title = str(manifest.get("title") or manifest.get("lesson") or "calcanim lesson")
    clips: Sequence[Mapping[str, Any]] = manifest.get("clips", [])
    missing: Sequence[Mapping[str, Any]] = manifest.get("missing", [])
    cards = "\n".join(_card(clip) for clip in clips) or '<p class="sub">No clips are rendered yet.</p>'
    cards += _missing_html(missing)
    description = manifest.get("description") or ""
    versions = f"calcanim {manifest.get('calcanim_version', '?')}, manim {manifest.get('manim_version') or '?'}"
    stale = sum(1 for clip in clips if clip.get("status") == "stale")
    count = f"{len(clips)} clip{'s' if len(clips) != 1 else ''}" + (f" ({stale} stale)" if stale else "") + (
        f", {len(missing)} not rendered" if missing else "")
    script = f"<script>{COPY_SCRIPT}{extra_script}</script>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
{f'<p>{escape(description)}</p>' if description else ''}
<p>{escape(count)} · rendered with {escape(versions)} · <a href="manifest.json">manifest.json</a></p>
</header>
<main>
{cards}
</main>
<footer>Each clip: click the poster to play; captions are on by default (CC button to hide). Copy an embed snippet into a course page next to the files.</footer>
{script}
</body>
</html>
"""


def embed_snippet(clip: Mapping[str, Any]) -> str:
    """The HTML a course page needs to show this clip (paths relative to the lesson folder)."""
    files = clip["files"]
    video = str(files["video"])
    ext = video.rsplit(".", 1)[-1].lower()
    label = str(clip.get("title") or clip["name"])
    if ext not in VIDEO_TYPES:
        return f'<img src="{escape(video)}" alt="{escape(label)}" width="{_int(clip.get("width"))}" height="{_int(clip.get("height"))}">'
    size = _size_attributes(clip)
    lines = [f'<video controls preload="metadata" poster="{escape(str(files["poster"]))}"{size}>',
             f'  <source src="{escape(video)}" type="{VIDEO_TYPES[ext]}">']
    vtt = files.get("captions", {}).get("vtt")
    if vtt:
        lines.append(f'  <track kind="captions" src="{escape(str(vtt))}" srclang="en" label="English" default>')
    lines.append(f'  <a href="{escape(video)}">{escape(label)}</a>')
    lines.append("</video>")
    return "\n".join(lines)


def _card(clip: Mapping[str, Any]) -> str:
    name = str(clip["name"])
    anchor = f"clip-{name}"
    heading = str(clip.get("title") or name)
    facts = [str(clip.get("scene", ""))]
    if clip.get("width") and clip.get("height"):
        facts.append(f"{_int(clip['width'])}×{_int(clip['height'])}")
    if clip.get("fps"):
        facts.append(f"{float(clip['fps']):.4g} fps")
    if clip.get("duration"):
        facts.append(f"{float(clip['duration']):.1f} s")
    options = clip.get("options", {})
    facts += [str(options[k]) for k in ("theme", "aspect") if options.get(k)]
    files = clip["files"]
    links = [f'<a href="{escape(str(files["video"]))}">{escape(str(files["video"]).rsplit(".", 1)[-1])}</a>']
    if files.get("poster") and files["poster"] != files["video"]:
        links.append(f'<a href="{escape(str(files["poster"]))}">poster</a>')
    links += [f'<a href="{escape(str(path))}">{escape(kind)}</a>' for kind, path in files.get("captions", {}).items()]
    snippet = embed_snippet(clip)
    box_id = f"embed-{name}"
    stale = clip.get("status") == "stale"
    warning = ""
    if stale or clip.get("note"):
        label = "Stale: " if stale else "Note: "
        warning = f'<p class="warning" role="status"><strong>{label}</strong>{escape(str(clip.get("note") or "made with earlier settings"))}</p>\n'
    return f"""<article class="clip{' stale' if stale else ''}" id="{escape(anchor)}">
<h2><a href="#{escape(anchor)}">{escape(heading)}</a></h2>
<p class="sub">{escape(" · ".join(f for f in [name if clip.get("title") else "", *facts] if f))}</p>
{warning}{snippet}
<p class="files">{" ".join(links)}</p>
<details open><summary>Numbers</summary><div class="numbers">{_numbers_html(clip.get("numbers", {}))}</div></details>
<details><summary>Parameters</summary>{_params_html(clip.get("params", {}))}</details>
<details><summary>Embed</summary>
<textarea id="{escape(box_id)}" rows="{snippet.count(chr(10)) + 3}" readonly spellcheck="false" aria-label="embed snippet for {escape(name)}">{escape(snippet)}</textarea>
<button type="button" data-copy="{escape(box_id)}">Copy</button>
</details>
</article>"""


def _missing_html(missing: Sequence[Mapping[str, Any]]) -> str:
    """The clips of the lesson that have no files, with what happened to each."""
    if not missing:
        return ""
    items = []
    for entry in missing:
        name = str(entry.get("name", ""))
        label = str(entry.get("title") or name)
        error = f": {entry['error']}" if entry.get("error") else ""
        items.append(f'<li id="clip-{escape(name)}"><strong>{escape(label)}</strong> ({escape(str(entry.get("scene", "")))}) '
                     f'– {escape(str(entry.get("status", "not rendered")))}{escape(error)}</li>')
    return f'\n<section class="missing"><h2>Not rendered</h2><ul>{"".join(items)}</ul></section>'


def _params_html(params: Mapping[str, Any]) -> str:
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(_value_text(v))}</td></tr>" for k, v in params.items())
    return f"<table>{rows}</table>"


def headline_numbers(numbers: Mapping[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, list[str], list[list[Any]]]]]:
    """Scalars (one level of nesting flattened) and small tables of records from a plan's to_json()."""
    scalars: list[tuple[str, Any]] = []
    tables: list[tuple[str, list[str], list[list[Any]]]] = []
    for key, value in numbers.items():
        if key in SKIP_NUMBERS:
            continue
        if _is_scalar(value):
            scalars.append((key, value))
        elif isinstance(value, Mapping):
            scalars += [(f"{key}.{k}", v) for k, v in value.items() if _is_scalar(v)]
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            columns = [c for c in dict.fromkeys(k for row in value for k in row)
                       if all(_is_scalar(row.get(c)) or row.get(c) is None for row in value)][:MAX_TABLE_COLUMNS]
            if len(columns) >= 2:
                rows = [[row.get(c) for c in columns] for row in value[:MAX_TABLE_ROWS]]
                tables.append((key, columns, rows))
        elif isinstance(value, list) and len(value) <= 4 and all(_is_scalar(v) for v in value):
            scalars.append((key, value))
    return scalars[:MAX_SCALARS], tables


def _numbers_html(numbers: Mapping[str, Any]) -> str:
    scalars, tables = headline_numbers(numbers)
    parts = []
    if scalars:
        parts.append("<table>" + "".join(
            f"<tr><th>{escape(k)}</th><td>{escape(_value_text(v))}</td></tr>" for k, v in scalars) + "</table>")
    for key, columns, rows in tables:
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(_value_text(v))}</td>" for v in row) + "</tr>" for row in rows)
        parts.append(f"<table><caption hidden>{escape(key)}</caption><tr>{head}</tr>{body}</table>")
    return "".join(parts) or "<p class=\"sub\">no numbers</p>"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, bool)) or (isinstance(value, str) and len(value) <= 80)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value)
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}" if value == value else "nan"
    return str(value)


def _int(value: Any) -> str:
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return ""


def _size_attributes(clip: Mapping[str, Any]) -> str:
    width, height = _int(clip.get("width")), _int(clip.get("height"))
    return f' width="{width}" height="{height}"' if width and height else ""


def write_gallery(path: Path, manifest: Mapping[str, Any], *, extra_script: str = "") -> Path:
    """Write the page atomically (hidden temp file beside it, then rename)."""
    write_text_atomically(path, build_gallery(manifest, extra_script=extra_script))
    return path
