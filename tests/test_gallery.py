"""The gallery page: escaped text and the embed snippet as HTML, and in headless Chromium every video
can play (readyState >= 2) and every captions track loads."""

from __future__ import annotations

import functools
import html
import io
import json
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from calcanim.batch import run_lesson
from calcanim.gallery import build_gallery, embed_snippet, write_gallery

CHROMIUM = Path("/usr/bin/chromium")

RECORD = {
    "name": "zoom-right",
    "title": "Zoom <in> & see",
    "scene": "zoom-linearity",
    "files": {"video": "zoom-right.mp4", "poster": "zoom-right.png",
              "captions": {"vtt": "zoom-right.vtt", "srt": "zoom-right.srt"}},
    "params": {"function": "x**2 < 1 & \"q\"", "point": 1.0},
    "options": {"quality": "low", "format": "mp4", "theme": "dark", "aspect": "16:9"},
    "key": "f" * 64, "hash": "f" * 10, "duration": 6.0, "width": 854, "height": 480, "fps": 15.0,
    "numbers": {"scene": "zoom-linearity", "slope": 2.0, "point": {"x": 1.0, "y": 1.0}, "note": "<b>bold</b>",
                "checkpoints": [{"zoom": 1, "max_gap": 4.0}, {"zoom": 10, "max_gap": 0.04}]},
}
MANIFEST = {"lesson": "l", "title": "Lesson <script>alert(1)</script>", "calcanim_version": "0.1.0",
            "manim_version": "0.22.0", "clips": [RECORD]}


def test_page_escapes_text_and_uses_relative_paths() -> None:
    page = build_gallery(MANIFEST)
    assert "<script>alert(1)</script>" not in page
    assert "Lesson &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Zoom &lt;in&gt; &amp; see" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "x**2 &lt; 1 &amp; &quot;q&quot;" in page
    assert not re.search(r'(src|href|poster)="(/|[a-z]+://)', page), "every path is relative"
    assert '<video controls preload="metadata" poster="zoom-right.png" width="854" height="480">' in page
    assert '<track kind="captions" src="zoom-right.vtt" srclang="en" label="English" default>' in page
    for text in ("slope", "point.x", "max_gap", "854×480", "15 fps", "6.0 s"):
        assert text in page


def test_embed_snippet_is_the_video_html_and_shown_escaped_in_a_textarea() -> None:
    snippet = embed_snippet(RECORD)
    assert snippet.startswith('<video controls preload="metadata" poster="zoom-right.png"')
    assert '<source src="zoom-right.mp4" type="video/mp4">' in snippet and snippet.endswith("</video>")
    page = build_gallery(MANIFEST)
    boxes = re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert [html.unescape(box) for box in boxes] == [snippet]


def test_gif_and_png_clips_are_images() -> None:
    gif = {**RECORD, "files": {"video": "c.gif", "poster": "c.png", "captions": {}}}
    assert embed_snippet(gif).startswith('<img src="c.gif" alt="Zoom &lt;in&gt; &amp; see"')


# --- Chromium: the real page over HTTP ---------------------------------------------------------

#: Appended to a copy of the page in test mode: waits until every <video> has data for the current
#: frame and every <track> has loaded, then writes the results into the DOM for --dump-dom.
CHECK_SCRIPT = """
(function () {
  var out = document.createElement("pre");
  out.id = "media-check";
  document.body.appendChild(out);
  var videos = Array.prototype.slice.call(document.querySelectorAll("video"));
  var tracks = Array.prototype.slice.call(document.querySelectorAll("video track"));
  videos.forEach(function (v) { v.muted = true; if (v.readyState < 2) { v.preload = "auto"; v.load(); } });
  var started = Date.now();
  function report(done) {
    out.textContent = JSON.stringify({
      done: done,
      videos: videos.map(function (v) {
        return { src: v.currentSrc.split("/").pop(), readyState: v.readyState, error: v.error ? v.error.code : null,
                 duration: v.duration, width: v.videoWidth, height: v.videoHeight };
      }),
      tracks: tracks.map(function (t) {
        return { src: t.getAttribute("src"), readyState: t.readyState, mode: t.track.mode,
                 cues: t.track.cues ? t.track.cues.length : 0 };
      })
    });
  }
  (function poll() {
    var done = videos.every(function (v) { return v.readyState >= 2 || v.error; }) &&
               tracks.every(function (t) { return t.readyState >= 2; });
    report(done);
    if (!done && Date.now() - started < 9000) { setTimeout(poll, 100); }
  })();
})();
"""

LESSON = """
[lesson]
title = "Gallery check: e & friends"

[defaults]
quality = "low"

[[clip]]
name = "climb"
title = "(1 + 1/n)^n < e"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 1000
marks = [1, 10, 1000]
"""


@pytest.fixture(scope="module")
def lesson_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gallery")
    (root / "gallery.toml").write_text(textwrap.dedent(LESSON), encoding="utf-8")
    summary = run_lesson(root / "gallery.toml", jobs=1, output_dir=root / "out", stream=io.StringIO())
    assert not summary.failed, summary.failed
    return summary.folder


@pytest.fixture
def served(lesson_folder: Path) -> Iterator[str]:
    """The lesson folder over HTTP on 127.0.0.1 (a free port), as a course page would serve it."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(lesson_folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.render
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
def test_every_video_plays_and_every_captions_track_loads_in_chromium(
    lesson_folder: Path, served: str, tmp_path: Path
) -> None:
    manifest = json.loads((lesson_folder / "manifest.json").read_text(encoding="utf-8"))
    page = (lesson_folder / "index.html").read_text(encoding="utf-8")
    assert "Gallery check: e &amp; friends" in page and "(1 + 1/n)^n &lt; e" in page
    # The page under test plus the check script: the same markup, only the script added.
    write_gallery(lesson_folder / "check.html", manifest, extra_script=CHECK_SCRIPT)
    try:
        done = chromium(tmp_path, "--dump-dom", f"{served}/check.html")
    finally:
        (lesson_folder / "check.html").unlink()
    found = re.search(r'<pre id="media-check">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no check results in the dumped DOM; chromium said: {done.stderr[-2000:]}"
    result = json.loads(html.unescape(found.group(1)))
    assert result["done"], result
    assert [v["src"] for v in result["videos"]] == ["climb.mp4"]
    for video in result["videos"]:
        assert video["readyState"] >= 2 and video["error"] is None, video
        assert (video["width"], video["height"]) == (854, 480)
        assert video["duration"] == pytest.approx(manifest["clips"][0]["duration"], abs=0.1)
    assert [t["src"] for t in result["tracks"]] == ["climb.vtt"]
    for track in result["tracks"]:
        assert track["readyState"] == 2 and track["cues"] > 0, track
        assert track["mode"] == "showing", "the captions track is on by default"

    shot = chromium(tmp_path, f"--screenshot={tmp_path / 'gallery.png'}", "--window-size=1280,1600",
                    f"{served}/index.html")
    assert (tmp_path / "gallery.png").stat().st_size > 10_000, shot.stderr[-2000:]
