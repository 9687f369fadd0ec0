"""tangent-slide: a point rides along f carrying its tangent line (and optionally the quadratic approximation).

Both axes use the same unit wherever the curve allows it, so the line's tilt on screen is its slope.
At a corner of f the point rests, the tangent disappears and the two one-sided slopes are shown."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from calcanim.numerics.corners import Corner
from calcanim.numerics.tangent_line import TangentLine, equal_unit_area
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.plans.tangent_slide import ENDING_SECONDS, INTRO_SECONDS, READOUT_DECIMALS, TangentSlidePlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed, place_segment
from calcanim.scenes.graph_axes import curve_with_corners, keep_redrawn, stop_redrawing, window_axes


class TangentSlideScene(FrameTimed, CalcanimScene[TangentSlideParams, TangentSlidePlan]):
    """The tangent line (slope f'(x0)) riding along a curve as x0 moves across the domain."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw, fh = self.frame_width, self.frame_height
        lines = [
            self.math(f"f(x) = {pl.function_tex}", size=FONT_LABEL, colour=theme.curve),
            self.math(r"\text{tangent: } y = f(x_0) + f'(x_0)\,(x - x_0)", size=FONT_LABEL, colour=theme.reference),
        ]
        if p.second_order:
            lines.append(
                self.math(r"\text{quadratic: tangent} + \tfrac12 f''(x_0)(x - x_0)^2", size=FONT_LABEL, colour=theme.accent)
            )
        for line in lines:
            if line.width > fw - 2 * MARGIN:
                line.scale_to_fit_width(fw - 2 * MARGIN)
        header = VGroup(*lines).arrange(DOWN, buff=0.15)

        x = ValueTracker(pl.params.path[0])
        tangent = pl.tangent_at(x.get_value())
        x_value = self.number(pl.x_shown(tangent.x0), READOUT_DECIMALS, size=FONT_BODY, colour=theme.point)
        slope_value = self.number(pl.slope_shown(tangent.x0), READOUT_DECIMALS, size=FONT_BODY, colour=theme.reference)
        x_equals = self.math(r"x_0 \approx", size=FONT_BODY)
        slope_equals = self.math(r"f'(x_0) \approx", size=FONT_BODY)
        readouts = VGroup(
            VGroup(x_equals, x_value).arrange(RIGHT, buff=0.15),
            VGroup(slope_equals, slope_value).arrange(RIGHT, buff=0.15),
        )
        if self.portrait:
            readouts.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            header.to_edge(UP, buff=MARGIN + 0.3)
            readouts.next_to(header, DOWN, buff=0.4)
            top = readouts.get_bottom()[1] - 0.4 - (0.5 if pl.corners else 0.0)  # room for a corner's slopes
        else:
            readouts.arrange(RIGHT, buff=0.7)
            header.to_edge(UP, buff=MARGIN)
            readouts.next_to(header, DOWN, buff=0.3)
            top = readouts.get_bottom()[1] - 0.3 - (0.5 if pl.corners else 0.0)
        none_note = self.math(r"\text{no tangent at } x_0", size=FONT_BODY, colour=theme.reference)
        none_note.move_to(readouts[1], aligned_edge=LEFT)
        none_note.set_opacity(0.0)

        bottom = -fh / 2 + MARGIN + 0.5
        width = fw - 2 * MARGIN - 1.0
        # Equal units wherever the curve's range fits (a narrow frame gets a window as tall as the plot
        # is wide); only a curve too tall for the frame falls back to unequal axes, and says so.
        width, height, window, self.equal_axes = equal_unit_area(pl.window, width, top - bottom)
        if self.portrait and not self.equal_axes:
            height = min(height, width * 1.5)
        x_unit = width / (window[1] - window[0])
        y_unit = height / (window[3] - window[2])
        half_length = min(p.line_length, width * 0.8) / 2
        sweep = self.tangent_sweep(half_length, x_unit, y_unit)
        axes = window_axes(self, window, width, height, avoid=pl.expression, avoid_points=sweep)
        axes.move_to([0.35 if width > fw - 2 * MARGIN - 1.2 else 0.0, (top + bottom) / 2, 0])
        self.axes = axes
        scale_note = VGroup()
        if not self.equal_axes:  # the curve is too tall for equal units: say the tilt is not the slope
            scale_note = self.math(r"\text{axes not to scale}", size=FONT_LABEL, colour=theme.muted)
            scale_note.next_to(axes, DOWN, buff=0.1).align_to(axes, RIGHT)

        curve = curve_with_corners(
            axes, pl.expression, p.x_min, p.x_max, [c.x for c in pl.corners], color=theme.curve, stroke_width=theme.stroke(4)
        )
        (s0, s1) = pl.tangent_segment(tangent, half_length, x_unit, y_unit)
        line = Line(axes.c2p(*s0), axes.c2p(*s1), color=theme.reference, stroke_width=theme.stroke(5)).set_z_index(2)
        dot = Dot(axes.c2p(tangent.x0, tangent.y0), radius=0.09, color=theme.point).set_z_index(3)
        quadratic_half_width = 1.2 * half_length / x_unit
        quadratic = VMobject(color=theme.accent, stroke_width=theme.stroke(4)).set_z_index(1)

        def place_quadratic(t: TangentLine) -> None:
            points = pl.quadratic_points(t, quadratic_half_width)
            quadratic.set_points_as_corners([axes.c2p(x, y) for x, y in points])

        if p.second_order:
            place_quadratic(tangent)

        def follow(_: Mobject) -> None:
            x0 = x.get_value()
            at_corner = pl.corner_near(x0) is not None
            x_value.set_value(pl.x_shown(x0))
            if at_corner:  # no tangent through a corner: keep the last line hidden
                dot.move_to(axes.c2p(x0, float(pl.expression(x0))))
                line.set_stroke(opacity=0.0)
                quadratic.set_stroke(opacity=0.0)
                return
            t = pl.tangent_at(x0)
            start, end = pl.tangent_segment(t, half_length, x_unit, y_unit)
            place_segment(line, axes.c2p(*start), axes.c2p(*end))
            line.set_stroke(opacity=1.0)
            dot.move_to(axes.c2p(t.x0, t.y0))
            slope_value.set_value(pl.slope_shown(t.x0))
            if p.second_order:
                place_quadratic(t)
                quadratic.set_stroke(opacity=1.0)

        self.caption(f"Take f(x) = {p.function} and put a point on it, with the line that just touches it there.", INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.5, Write(header), Create(axes), FadeIn(scale_note))
        extras = [FadeIn(quadratic)] if p.second_order else []
        self.timed_play(INTRO_SECONDS * 0.5, Create(curve), FadeIn(dot), Create(line), FadeIn(readouts), *extras)
        self.add(none_note)

        words = (
            "As the point slides along, its tangent tilts with the curve: steep where f climbs, "
            "flat at the tops and bottoms, and its slope is always f'(x0)."
        )
        if p.second_order:
            words += " The quadratic also bends with the curve, so it hugs f for longer."
        if pl.corners:
            words += " At a corner there is no tangent: the slopes from the left and from the right differ."
        self.caption(words, p.seconds + len(pl.corners) * pl.corner_seconds)
        for x_from, x_to, seconds, corner in pl.legs():
            x.set_value(x_from)
            dot.add_updater(follow)
            keep_redrawn(line, readouts, quadratic)
            self.timed_play(seconds, x.animate.set_value(x_to), rate_func=linear)
            dot.remove_updater(follow)
            stop_redrawing(line, readouts, quadratic)
            if corner is not None:
                self.rest_at_corner(corner, dot, line, quadratic, readouts[1], none_note, curve, half_length, x_unit, y_unit)

        self.caption("Near the point the line matches the curve: the derivative is the slope of that line.", ENDING_SECONDS)
        self.timed_wait(ENDING_SECONDS)

    def tangent_sweep(self, half_length: float, x_unit: float, y_unit: float) -> np.ndarray:
        """(n, 2) data points along the tangent lines the slide will draw, for tick labels to keep clear of."""
        pl = self.plan
        start, end = pl.params.path
        points = []
        for x0 in np.linspace(min(start, end), max(start, end), 240):
            if pl.corner_near(x0) is not None:
                continue
            (ax, ay), (bx, by) = pl.tangent_segment(pl.tangent_at(x0), half_length, x_unit, y_unit)
            t = np.linspace(0.0, 1.0, 40)[:, None]
            points.append(np.column_stack([ax + t[:, 0] * (bx - ax), ay + t[:, 0] * (by - ay)]))
        return np.concatenate(points) if points else np.zeros((0, 2))

    def rest_at_corner(
        self,
        corner: Corner,
        dot: Mobject,
        line: Line,
        quadratic: VMobject,
        slope_readout: Mobject,
        none_note: Mobject,
        curve: VMobject,
        half_length: float,
        x_unit: float,
        y_unit: float,
    ) -> None:
        """At a corner: no tangent; the one-sided lines, their slopes, and "no tangent at x_0" for the readout."""
        theme, pl, axes = self.theme, self.plan, self.axes
        dot.move_to(axes.c2p(corner.x, float(pl.expression(corner.x))))
        rays = VGroup()
        for side in (-1, 1):
            segment = pl.ray(corner, side, half_length, x_unit, y_unit)
            if segment is not None:
                rays.add(DashedLine(axes.c2p(*segment[0]), axes.c2p(*segment[1]), color=theme.reference, stroke_width=theme.stroke(4)))
        note = self.math(pl.corner_tex(corner), size=FONT_LABEL, colour=theme.reference)
        if not self.place_clear_of(note, dot, [curve.points[:, :2], *[r.get_all_points()[:, :2] for r in rays]]):
            note.next_to(none_note, DOWN, buff=0.15, aligned_edge=LEFT)  # no clear spot in the plot: under the readout
        seconds = pl.corner_seconds
        line.set_stroke(opacity=0.0)
        quadratic.set_stroke(opacity=0.0)
        slope_readout.set_opacity(0.0)
        none_note.set_opacity(1.0)
        self.timed_play(seconds * 0.3, Create(rays), FadeIn(note))
        self.timed_wait(seconds * 0.4)
        self.timed_play(seconds * 0.3, FadeOut(rays), FadeOut(note))
        slope_readout.set_opacity(1.0)
        none_note.set_opacity(0.0)

    def place_clear_of(self, label: Mobject, anchor: Mobject, obstacles: list[np.ndarray]) -> bool:
        """Put label beside anchor where no obstacle point falls in its box and it stays inside the plot;
        False (label left at the least crowded place) when there is no such place."""
        axes = self.axes
        for axis in (axes.x_axis, axes.y_axis):
            start, end = axis.get_start()[:2], axis.get_end()[:2]
            obstacles.append(start + np.outer(np.linspace(0.0, 1.0, 300), end - start))
        for tick_label in (m for m in axes.submobjects if m not in (axes.x_axis, axes.y_axis)):
            low, high = tick_label.get_corner(DOWN + LEFT)[:2], tick_label.get_corner(UP + RIGHT)[:2]
            grid = np.stack(np.meshgrid(np.linspace(low[0], high[0], 6), np.linspace(low[1], high[1], 4)), axis=-1)
            obstacles.append(grid.reshape(-1, 2))
        cloud = np.concatenate(obstacles)
        low_limit = np.array([axes.x_axis.get_left()[0], axes.y_axis.get_bottom()[1]])
        high_limit = np.array([min(axes.x_axis.get_right()[0], self.frame_width / 2 - MARGIN), axes.y_axis.get_top()[1]])
        best, fewest = None, None
        for direction in (DOWN, UP, DOWN + RIGHT, DOWN + LEFT, UP + RIGHT, UP + LEFT, RIGHT, LEFT):
            for buff in (0.3, 0.7, 1.2):
                label.next_to(anchor, direction, buff=buff)
                low, high = label.get_corner(DOWN + LEFT)[:2] - 0.05, label.get_corner(UP + RIGHT)[:2] + 0.05
                hits = int(np.count_nonzero(np.all((cloud >= low) & (cloud <= high), axis=1)))
                outside = bool(np.any(low < low_limit) or np.any(high > high_limit))
                score = hits + (10_000 if outside else 0)
                if fewest is None or score < fewest:
                    best, fewest = (direction, buff), score
                if score == 0:
                    return True
        assert best is not None
        label.next_to(anchor, best[0], buff=best[1])
        return False
