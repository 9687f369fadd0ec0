"""CalcanimScene.run_clock: a long linear clock run played as pieces (so a split render can divide it)
shows the same frames as the one play it stands for: as many, with the clock at the same value in
each, bit for bit, and at its target after."""

from __future__ import annotations

from pathlib import Path

import pytest
from manim import Scene, ValueTracker, linear, tempconfig

from calcanim.scenes.base import CLOCK_PIECE_SECONDS, CalcanimScene


def frame_values(tmp_path: Path, fps: int, start: float, until: float, run_time: float, pieces: bool) -> tuple[list[float], int, float]:
    """The clock's value at each frame drawn, the number of plays, and the value after."""
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "frame_rate": fps, "progress_bar": "none"}):
        scene = Scene()
        scene.setup()
        clock = ValueTracker(start)
        seen: list[float] = []
        scene.renderer.render = lambda scene, time, moving_mobjects=None: seen.append(clock.get_value())
        if pieces:
            CalcanimScene.run_clock(scene, clock, until, run_time)  # type: ignore[arg-type]
        else:
            scene.play(clock.animate.set_value(until), run_time=run_time, rate_func=linear)
        return seen, scene.renderer.num_plays, clock.get_value()


@pytest.mark.parametrize("fps, start, until, run_time", [
    (15, 1.5, 9.5, 8.0), (30, 0.0, 3.7, 3.7), (60, 2.0, 2.05, 0.05), (30, 1.2, 7.333, 6.1333), (24, 5.0, -1.0, 4.99),
])
def test_a_clock_run_in_pieces_draws_the_frames_of_one_play(tmp_path: Path, fps: int, start: float, until: float, run_time: float) -> None:
    one, one_plays, one_end = frame_values(tmp_path, fps, start, until, run_time, pieces=False)
    cut, cut_plays, cut_end = frame_values(tmp_path, fps, start, until, run_time, pieces=True)
    assert one_plays == 1 and len(one) == len(cut) > 0
    assert cut == one  # bit for bit, not approximately
    assert cut_end == one_end == until
    per_piece = max(1, int(CLOCK_PIECE_SECONDS * fps))
    assert cut_plays == -(-len(one) // per_piece)  # pieces of at most CLOCK_PIECE_SECONDS
