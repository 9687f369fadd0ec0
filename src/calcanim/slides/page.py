"""slides.html: one self-contained presenter page (inline CSS and JS, nothing from the network).

Keys: → / Space / PageDown / click: next segment (it plays, then holds its last frame);
← / PageUp: back (the previous segment, held at its end); Home / End; F: fullscreen;
S: speaker notes (the beat's caption text). A presentation clicker sends PageDown/PageUp.
"""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = """
html, body { margin: 0; height: 100%; background: #000; color: #eee; font-family: "DejaVu Sans", sans-serif; }
body { display: flex; flex-direction: column; }
#stage { flex: 1; display: flex; align-items: center; justify-content: center; min-height: 0; cursor: pointer; }
video { width: 100%; height: 100%; object-fit: contain; background: #000; }
#bar { height: 6px; background: #222; }
#done { height: 100%; width: 0; background: #56b4e9; transition: width 0.2s; }
#status { position: fixed; right: 12px; bottom: 14px; font-size: 14px; color: #bbb; }
#notes { display: none; position: fixed; left: 0; right: 0; bottom: 6px; padding: 12px 18px 16px;
         background: rgba(0, 0, 0, 0.85); font-size: 20px; line-height: 1.4; }
body.notes #notes { display: block; }
#help { position: fixed; left: 12px; bottom: 14px; font-size: 13px; color: #888; }
"""

SCRIPT = """
(function () {
  const deck = JSON.parse(document.getElementById("deck").textContent);
  const flat = [];
  deck.slides.forEach(function (slide) {
    slide.segments.forEach(function (segment, i) {
      flat.push({ clip: slide.clip, title: slide.title, file: segment.file, note: segment.note,
                  part: i + 1, parts: slide.segments.length });
    });
  });
  const video = document.getElementById("video");
  const done = document.getElementById("done");
  const status = document.getElementById("status");
  const notes = document.getElementById("notes");
  const state = { index: -1, mode: "idle" };
  window.presenter = state;

  function show(index, hold) {
    if (flat.length === 0) { return; }
    index = Math.max(0, Math.min(flat.length - 1, index));
    const item = flat[index];
    state.index = index;
    state.mode = hold ? "held" : "playing";
    document.body.dataset.index = String(index);
    document.body.dataset.mode = state.mode;
    video.src = item.file;
    video.load();
    if (hold) {
      video.addEventListener("loadedmetadata", function () {
        video.currentTime = Math.max(0, video.duration - 0.001);
      }, { once: true });
    } else {
      video.play().catch(function () { /* autoplay refused: the first key press plays */ });
    }
    done.style.width = (100 * (index + 1) / flat.length) + "%";
    status.textContent = item.title + " \u00b7 " + item.part + "/" + item.parts + " \u00b7 " + (index + 1) + " of " + flat.length;
    notes.textContent = item.note || "";
  }
  video.addEventListener("ended", function () {
    state.mode = "held";
    document.body.dataset.mode = "held";
  });
  function next() { if (state.index < flat.length - 1) { show(state.index + 1, false); } }
  function back() { if (state.index > 0) { show(state.index - 1, true); } }
  document.addEventListener("keydown", function (event) {
    const key = event.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown" || key === "Enter") { next(); }
    else if (key === "ArrowLeft" || key === "PageUp" || key === "Backspace") { back(); }
    else if (key === "Home") { show(0, false); }
    else if (key === "End") { show(flat.length - 1, true); }
    else if (key === "f" || key === "F") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    }
    else if (key === "s" || key === "S") { document.body.classList.toggle("notes"); }
    else { return; }
    event.preventDefault();
  });
  document.getElementById("stage").addEventListener("click", next);
  show(0, false);
})();
"""


def slides_page(deck: dict[str, Any]) -> str:
    """The presenter page for ``deck`` (the slides.json data, with each slide's ``title``)."""
    data = json.dumps(deck, ensure_ascii=True).replace("</", "<\\/")
    title = html.escape(str(deck.get("title") or deck.get("lesson") or "calcanim slides"))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; media-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<div id="stage"><video id="video" playsinline preload="auto"></video></div>
<div id="bar"><div id="done"></div></div>
<div id="notes" aria-live="polite"></div>
<div id="help">&rarr; / space / click: next &middot; &larr;: back &middot; F: fullscreen &middot; S: notes</div>
<div id="status"></div>
<script type="application/json" id="deck">{data}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
