"""`calcanim slides`: clips cut at their stops into segments that together are the clip, a deck
that reuses what is cached, and the presenter page driven by real key presses in headless
Chromium (through chromedriver) with nothing requested from the network."""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calcanim.slides.build import build_slides
from calcanim.slides.page import slides_page
from calcanim.slides.stops import rest_ends, segments

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

LESSON = """
[lesson]
name = "tiny"
title = "Two clips </script> & stops"

[defaults]
quality = "low"

[[clip]]
name = "climb"
scene = "limit-climb"
[clip.params]
n_max = 100
marks = [1, 10, 100]
duration = 2

[[clip]]
name = "zoom"
scene = "zoom-linearity"
[clip.params]
zooms = [1, 10]
"""


@given(st.integers(1, 400), st.lists(st.integers(-10, 500), max_size=12), st.sampled_from([15.0, 30.0, 60.0]))
def test_segments_cover_every_frame_once_and_none_is_too_short(count: int, cuts: list[int], fps: float) -> None:
    parts = segments(count, fps, cuts)
    assert parts[0].first == 0 and parts[-1].last == count
    assert all(a.last == b.first for a, b in zip(parts, parts[1:]))
    if len(parts) > 1:
        assert all((p.last - p.first) / fps >= 1.0 for p in parts)


def test_a_rest_ends_where_motion_starts_again() -> None:
    still = [0.0] * 10
    assert rest_ends([3.0] + still + [2.0] + [1.0] * 5 + still, fps=15) == [11]
    assert rest_ends([3.0] + still[:3] + [2.0], fps=15) == [], "0.2 s of stillness is not a stop"


def test_the_page_escapes_the_deck_and_loads_nothing_from_elsewhere() -> None:
    page = slides_page({"lesson": "l", "title": "<b>x</b>", "slides": [
        {"clip": "c", "title": "</script><script>alert(1)</script>", "segments": [{"file": "c-01.mp4", "note": "n"}]}]})
    assert "</script><script>alert(1)" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page and "src=\"" not in page.replace('src="" ', "")


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("slides")
    lesson = root / "tiny.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    import os

    here = os.getcwd()
    os.chdir(root)
    try:
        result = build_slides(lesson, jobs=2)
        again = build_slides(lesson, jobs=2)
    finally:
        os.chdir(here)
    assert again.reused == 2 and again.segments == result.segments
    return root / result.folder


def frames_of(video: Path) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


@pytest.mark.render
def test_the_segments_together_are_the_clip(deck: Path) -> None:
    data = json.loads((deck / "slides.json").read_text(encoding="utf-8"))
    assert data["lesson"] == "tiny" and [s["clip"] for s in data["slides"]] == ["climb", "zoom"]
    zoom = data["slides"][1]["segments"]
    assert len(zoom) >= 2, "the zoom clip has a stop per zoom level"
    assert all(s["note"] for s in zoom), "every segment has its beat's caption as the note"
    for slide in data["slides"]:
        clip = frames_of(deck.parent / f"{slide['clip']}.mp4")
        cut = [frame for s in slide["segments"] for frame in frames_of(deck / s["file"])]
        assert len(cut) == len(clip)
        worst = max(float(np.abs(a - b).mean()) for a, b in zip(cut, clip))
        assert worst < 2.0, f"segments re-encode the clip's own frames (mean abs diff {worst:.2f} of 255)"
        ends = [s["end"] for s in slide["segments"]]
        assert ends == sorted(ends) and ends[-1] == pytest.approx(len(clip) / 15, abs=0.01)


class Quiet(SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, *args: Any) -> None:
        Quiet.requested.append(self.path)


@pytest.fixture
def served(deck: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(deck)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class Browser:
    """A minimal W3C WebDriver client over HTTP (chromedriver; no selenium needed)."""

    KEYS = {"ArrowRight": "\ue014", "ArrowLeft": "\ue012", "Home": "\ue011", "End": "\ue010",
            "PageDown": "\ue00f", "PageUp": "\ue00e", "Space": " ", "s": "s"}

    def __init__(self, port: int, profile: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={profile}", "--window-size=1280,800"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": {"binary": str(CHROMIUM), "args": args}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def go(self, url: str) -> None:
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def js(self, script: str) -> Any:
        return self.call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []})

    def press(self, key: str) -> None:
        value = self.KEYS[key]
        self.call("POST", f"/session/{self.session}/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]}]})

    def wait_for(self, script: str, timeout: float = 20.0) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.js(script)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for: {script}")

    def close(self) -> None:
        self.call("DELETE", f"/session/{self.session}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    port = free_port()
    driver = subprocess.Popen([str(CHROMEDRIVER), f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        session = Browser(port, tmp_path / "profile")
        try:
            yield session
        finally:
            session.close()
    finally:
        driver.terminate()
        driver.wait(timeout=10)


@pytest.mark.render
@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                    reason="needs Debian's chromium and chromium-driver (scripts/setup.sh --test installs them)")
def test_keys_step_through_the_segments_in_chromium(served: str, browser: Browser, deck: Path) -> None:
    total = sum(len(s["segments"]) for s in json.loads((deck / "slides.json").read_text())["slides"])
    browser.go(f"{served}/slides.html")
    ready = "return document.getElementById('video').readyState >= 2"
    browser.wait_for(ready)
    assert browser.js("return document.body.dataset.index") == "0"
    browser.wait_for("return document.body.dataset.mode === 'held'")  # the segment played to its end and holds
    assert browser.js("const v = document.getElementById('video'); return v.ended || v.currentTime > 0")
    for index, key in enumerate(["ArrowRight", "Space", "PageDown"], start=1):
        browser.press(key)
        browser.wait_for(f"return document.body.dataset.index === '{index}'")
        browser.wait_for(ready)
        browser.wait_for("const v = document.getElementById('video'); return v.currentTime > 0 || v.ended")
    browser.press("ArrowLeft")
    browser.wait_for("return document.body.dataset.index === '2' && document.body.dataset.mode === 'held'")
    browser.wait_for(ready)
    browser.press("PageUp")
    browser.wait_for("return document.body.dataset.index === '1'")
    browser.press("End")
    browser.wait_for(f"return document.body.dataset.index === '{total - 1}'")
    browser.press("Home")
    browser.wait_for("return document.body.dataset.index === '0'")
    browser.press("s")
    assert browser.js("return document.body.classList.contains('notes') && "
                      "document.getElementById('notes').textContent.length > 0")
    width = browser.js("return parseFloat(document.getElementById('done').style.width)")
    assert width == pytest.approx(100 / total, rel=1e-3), "the progress bar shows the first of all segments"
    origins = browser.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
    assert set(origins) <= {served}, f"requests left the deck's own server: {set(origins)}"
    assert all(not path.startswith("http") for path in Quiet.requested)
