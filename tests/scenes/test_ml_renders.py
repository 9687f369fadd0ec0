"""Real low-quality renders of the four machine-learning clips, read back with PyAV (short settings)."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip
from tests.scenes.video_checks import render_and_check

SHORT = {
    "backprop": {"expression": "x*y + x", "values": {"x": 3.0, "y": -2.0}, "step_seconds": 0.2},
    "activations": {"functions": ["relu"], "points": [-1.0, 0.0, 2.0], "seconds_per_function": 2.0},
    "vanishing-gradients": {"depth": 6, "seconds": 1.0},
    "loss-functions": {"losses": ["mae"], "seconds_per_loss": 2.0},
}


@pytest.mark.parametrize("name", list(SHORT))
def test_scene_builds_with_no_arguments(name: str) -> None:
    entry = get_scene(name)
    scene = entry.scene_class()()
    assert scene.params == entry.params_class()
    assert 0 < scene.plan.poster_time < scene.plan.duration


@pytest.mark.render
@pytest.mark.parametrize("name", list(SHORT))
def test_low_quality_render(name: str, tmp_path: Path) -> None:
    render_and_check(name, SHORT[name], tmp_path)


@pytest.mark.render
def test_portrait_light_render(tmp_path: Path) -> None:
    entry = get_scene("backprop")
    params = entry.params_class.from_mapping(SHORT["backprop"])
    options = RenderOptions(quality="low", theme="light", aspect="9:16")
    result = render_clip(entry, params, options, tmp_path / "clip.mp4", progress=False)
    with av.open(str(result.path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (480, 854)
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert first.mean() > 200  # a light background


LESSON = """
[lesson]
title = "Backprop and losses"

[defaults]
quality = "low"

[[clip]]
name = "neuron"
scene = "backprop"
[clip.params]
expression = "tanh(x1*w1 + b)"
values = { x1 = 2.0, w1 = -3.0, b = 6.8813735870195432 }
step_seconds = 0.2

[[clip]]
name = "mae"
scene = "loss-functions"
[clip.params]
losses = ["mae"]
seconds_per_loss = 2
"""


@pytest.mark.render
def test_batch_renders_a_lesson_of_ml_clips_in_worker_processes(tmp_path: Path) -> None:
    """Two worker processes: the values table crosses into a fresh interpreter and back into the manifest."""
    import io
    import json

    from calcanim.batch import run_lesson

    lesson = tmp_path / "ml.toml"
    lesson.write_text(LESSON)
    summary = run_lesson(lesson, jobs=2, output_dir=tmp_path / "out", stream=io.StringIO())
    assert not summary.failed
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    clips = {clip["name"]: clip for clip in manifest["clips"]}
    neuron = clips["neuron"]
    assert neuron["params"]["values"] == {"x1": 2.0, "w1": -3.0, "b": 6.8813735870195432}
    numbers = json.dumps(neuron)
    assert '"output": 0.7071067811865' in numbers  # tanh(2 * -3 + 6.88...) = 1/sqrt 2, the lesson's neuron
