"""Real renders at low quality, checked by reading the files back with PyAV: size, fps, duration,
frames that are not blank, captions inside the video, alpha where asked, nothing partial on failure."""

import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from calcanim.errors import RenderError
from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip

pytestmark = pytest.mark.render
ENTRY = get_scene("limit-climb")
SHORT = ENTRY.params_class.from_mapping({"duration": 1.0})
SHORT_SECONDS = ENTRY.plan(SHORT).duration


def video_facts(path: Path) -> dict:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return {
            "width": stream.width,
            "height": stream.height,
            "fps": float(stream.average_rate),
            "duration": float(container.duration / av.time_base),
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "frames": frames,
        }


def srt_end_times(path: Path) -> list[float]:
    ends = re.findall(r"--> (\d\d):(\d\d):(\d\d),(\d\d\d)", path.read_text())
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in ends]


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("mp4") / "climb.mp4"
    return render_clip(ENTRY, SHORT, RenderOptions(quality="low"), out, progress=False,
                       poster=out.with_suffix(".png"))


def test_mp4_has_requested_size_fps_and_duration(mp4) -> None:
    facts = video_facts(mp4.path)
    assert (facts["width"], facts["height"], facts["fps"]) == (854, 480, 15.0)
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert facts["duration"] == pytest.approx(SHORT_SECONDS, abs=0.15)
    assert len(facts["frames"]) == pytest.approx(SHORT_SECONDS * 15, abs=2)


def test_frames_show_something_and_change(mp4) -> None:
    frames = video_facts(mp4.path)["frames"]
    last = frames[-1]
    assert last.std() > 5, "the last frame is one flat colour"
    assert np.abs(frames[len(frames) // 3].astype(int) - last.astype(int)).mean() > 0.5, "nothing moves"


def test_mp4_is_faststart(mp4) -> None:
    head = mp4.path.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_captions_are_written_and_inside_the_video(mp4) -> None:
    srt, vtt = mp4.captions
    assert srt.suffix == ".srt" and vtt.suffix == ".vtt"
    assert vtt.read_text().startswith("WEBVTT")
    assert "the number e" in srt.read_text()
    ends = srt_end_times(srt)
    assert ends and max(ends) <= video_facts(mp4.path)["duration"] + 1 / 15


def test_poster_is_the_final_picture(mp4) -> None:
    poster = Image.open(mp4.poster)
    assert poster.size == (854, 480)
    assert np.asarray(poster).std() > 5


def test_identical_render_is_cached_and_force_renders_again(mp4) -> None:
    again = render_clip(ENTRY, SHORT, RenderOptions(quality="low"), mp4.path, progress=False)
    assert again.cached and again.key == mp4.key
    other = ENTRY.params_class.from_mapping({"duration": 1.0, "decimals": 3})
    from calcanim.clip import Clip
    from calcanim.rendering import cached_result
    other_key = Clip(ENTRY.name, other, RenderOptions(quality="low")).key()
    assert cached_result(mp4.path, other_key, RenderOptions()) is None


@pytest.mark.parametrize("fmt", ["webm", "mov"])
def test_transparent_video_keeps_its_alpha(tmp_path: Path, fmt: str) -> None:
    from calcanim.rendering.convert import _decoded_frames

    out = render_clip(ENTRY, SHORT, RenderOptions(quality="low", format=fmt, transparent=True),
                      tmp_path / f"clip.{fmt}", progress=False).path
    last = None
    for last in _decoded_frames(out, alpha=True):
        pass
    alpha = last.to_ndarray(format="rgba")[..., 3]
    assert alpha.min() == 0, "the background should be transparent"
    assert alpha.max() == 255, "the drawing should be opaque"
    if fmt == "mov":
        with av.open(str(out)) as container:
            assert container.streams.video[0].codec_context.codec_tag == "ap4h"  # ProRes 4444


def test_transparent_png_poster_has_alpha(tmp_path: Path) -> None:
    out = render_clip(ENTRY, SHORT, RenderOptions(quality="low", format="png", transparent=True),
                      tmp_path / "poster.png", progress=False).path
    image = Image.open(out)
    assert image.mode == "RGBA"
    alpha = np.asarray(image)[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255


def test_gif_has_its_own_palette_and_plays(tmp_path: Path) -> None:
    out = render_clip(ENTRY, SHORT, RenderOptions(quality="low", format="gif"), tmp_path / "clip.gif",
                      progress=False).path
    gif = Image.open(out)
    assert gif.format == "GIF" and gif.size[0] <= 640
    total_ms = 0
    for index in range(gif.n_frames):  # identical neighbours are merged into one longer frame
        gif.seek(index)
        total_ms += gif.info["duration"]
    assert total_ms / 1000 == pytest.approx(SHORT_SECONDS, abs=0.3)
    assert gif.n_frames > 20
    assert out.stat().st_size < 2_000_000


def test_a_failing_render_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scene_class = ENTRY.scene_class()

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom halfway through")

    monkeypatch.setattr(scene_class, "climb", explode)
    folder = tmp_path / "renders"
    with pytest.raises(RenderError, match="boom halfway"):
        render_clip(ENTRY, SHORT, RenderOptions(quality="low"), folder / "clip.mp4", progress=False)
    assert not any(p.is_file() for p in folder.rglob("*"))


def test_an_interrupted_render_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ENTRY.scene_class(), "climb", interrupt)
    folder = tmp_path / "renders"
    with pytest.raises(KeyboardInterrupt):
        render_clip(ENTRY, SHORT, RenderOptions(quality="low"), folder / "clip.mp4", progress=False)
    assert not any(p.is_file() for p in folder.rglob("*"))


@pytest.mark.parametrize(("theme", "aspect", "size"), [("light", "9:16", (480, 854)), ("high-contrast", "1:1", (480, 480)),
                                                        ("dark", "4:3", (640, 480))])
def test_themes_and_aspects_render_at_their_size(tmp_path: Path, theme: str, aspect: str, size: tuple) -> None:
    out = render_clip(ENTRY, SHORT, RenderOptions(quality="low", format="png", theme=theme, aspect=aspect),
                      tmp_path / "poster.png", progress=False).path
    image = np.asarray(Image.open(out).convert("RGB"))
    assert (image.shape[1], image.shape[0]) == size
    background = image[2, 2]
    if theme == "light":
        assert background.mean() > 200, "the light theme has a light background"
    else:
        assert background.mean() < 60


def test_plain_manim_render_of_the_scene_class_with_defaults(tmp_path: Path) -> None:
    import calcanim.scenes.limit_climb as module

    result = subprocess.run(
        [sys.executable, "-m", "manim", "render", "-ql", "--disable_caching", "--media_dir", str(tmp_path),
         "--progress_bar", "none", module.__file__, "LimitClimbScene"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    movies = list(tmp_path.rglob("LimitClimbScene.mp4"))
    assert len(movies) == 1
    facts = video_facts(movies[0])
    assert facts["duration"] == pytest.approx(ENTRY.plan(ENTRY.params_class()).duration, abs=0.15)


@pytest.mark.parametrize("preset, keyframes_every", [("ultrafast", 12), ("slow", 25)])
def test_the_poster_is_the_frame_a_full_decode_picks(tmp_path: Path, preset: str, keyframes_every: int) -> None:
    """extract_frame seeks to the keyframe before the poster time; it must pick exactly the frame that
    decoding the whole movie picks (the first shown at or after the time, else the last), B-frames
    (preset slow) included."""
    import numpy as np

    from calcanim.rendering.convert import extract_frame

    movie = tmp_path / "numbered.mp4"
    with av.open(str(movie), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"preset": preset, "g": str(keyframes_every)}
        for index in range(100):  # frame i is a flat grey of level 2i + 20: the decoded level names the frame
            image = np.full((48, 64, 3), 2 * index + 20, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    with av.open(str(movie)) as container:
        shown = [(frame.time, int(np.median(frame.to_ndarray(format="rgb24")))) for frame in container.decode(video=0)]
    assert len(shown) == 100
    for seconds in (0.0, 0.01, 0.5, 1.0, 1.0333, 1.7, 2.5, 3.2999, 3.3, 5.0, 100.0):
        expected = next((level for time, level in shown if time >= seconds - 1e-6), shown[-1][1])
        poster = extract_frame(movie, seconds, tmp_path / "poster.png")
        from PIL import Image

        level = int(np.median(np.asarray(Image.open(poster).convert("RGB"))))
        assert abs(level - expected) <= 2, (seconds, level, expected)
