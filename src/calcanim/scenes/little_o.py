"""little-o: as eps shrinks, the tangent's error r(eps) shrinks faster than eps (r/eps -> 0);
an approximation off by a constant or a wrong slope keeps (or blows up) its ratio.

The picture zooms into f, its tangent and the offset line at x0, both axes with eps: the run eps
keeps its length on screen, the tangent's gap r(eps) closes, the offset line's gap does not.
A magnifier inset shows that gap (marked by a small square) at the least 1-2-5 magnification that
keeps it readable; the magnification it names grows as eps shrinks, as r(eps)/eps falls.
Beside it the two ratios are plotted against eps and tabled."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN, LEFT, ORIGIN, RIGHT, UP, Axes, Create, Dot, FadeIn, Line, Mobject, Rectangle, ValueTracker, VGroup, VMobject,
    Write, linear,
)

from calcanim.number_format import decimal_label
from calcanim.numerics.tangent_line import line_in_box
from calcanim.numerics.ticks import tick_values
from calcanim.params.little_o import LittleOParams
from calcanim.plans.little_o import ENDING_SECONDS, HOLD_SECONDS, INSET_FRACTION, INTRO_SECONDS, LittleOPlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed, place_segment, set_polyline, show_stroke
from calcanim.scenes.graph_axes import bare_axes, keep_redrawn, stop_redrawing

#: Gap between a gap bar and its label.
LABEL_BUFF = 0.12
#: Samples of the curve in the picture per frame.
PICTURE_SAMPLES = 121
#: Samples of the curve in the magnifier inset per frame (it is nearly straight there).
INSET_SAMPLES = 25
#: The inset's width over its height, at most; and the least side of the marker around the magnified gap.
INSET_ASPECT, MARKER_MIN = 1.3, 0.16
#: 1:1 and 4:3 draw a short picture: its inset takes more of its height, and may be wider.
SQUARE_INSET_FRACTION, SQUARE_INSET_ASPECT = 0.62, 1.6


class LittleOScene(FrameTimed, CalcanimScene[LittleOParams, LittleOPlan]):
    """r(eps)/eps for the tangent (to 0) beside an offset approximation's ratio (not to 0), and the gaps themselves."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw, fh = self.frame_width, self.frame_height
        title = self.math(r"r(\varepsilon) = f(x_0+\varepsilon) - f(x_0) - f'(x_0)\,\varepsilon", size=FONT_TITLE)
        subtitle = self.math(f"f(x) = {pl.function_tex},\\quad x_0 = {pl.x0_label}", size=FONT_LABEL, colour=theme.muted)
        for line in (title, subtitle):
            if line.width > fw - 2 * MARGIN:
                line.scale_to_fit_width(fw - 2 * MARGIN)
        header = VGroup(title, subtitle).arrange(DOWN, buff=0.2).to_edge(UP, buff=MARGIN)
        top = header.get_bottom()[1] - 0.35
        bottom = -fh / 2 + MARGIN
        stacked = self.portrait
        square = not self.portrait and fw / fh < 1.2

        if square:  # one line high: the table leaves the pictures room
            good_label = self.math(r"r(\varepsilon)/\varepsilon", size=FONT_BODY, colour=theme.good)
            bad_label = self.math(f"(r(\\varepsilon) + {pl.bad_error_tex})/\\varepsilon", size=FONT_BODY, colour=theme.bad)
        else:
            good_label = self.math(r"\frac{r(\varepsilon)}{\varepsilon}", size=FONT_BODY, colour=theme.good)
            bad_label = self.math(f"\\frac{{r(\\varepsilon) + {pl.bad_error_tex}}}{{\\varepsilon}}", size=FONT_BODY, colour=theme.bad)
        table, rows = self.ratio_table(good_label, bad_label)
        verdicts = self.verdicts()
        mx, my, _ = self.edge
        if square:  # the picture beside the ratio graph, over the table (full size) and the verdicts on one line
            verdicts.arrange(RIGHT, buff=0.6)
            width = fw - 2 * mx
            bottom = -fh / 2 + my
            verdicts.align_to([0, bottom, 0], DOWN).set_x(0)
            table.next_to(verdicts, UP, buff=0.3).set_x(0)
            region_bottom = table.get_top()[1] + 0.3
            half = (width - 0.5) / 2
            picture_w = half
            picture_h = top - region_bottom - 0.45  # the legend under it
            picture_centre = np.array([-fw / 2 + mx + half / 2, top - picture_h / 2, 0.0])
            graph_w = half - 0.95  # the y numbers on the left, half the last eps label on the right
            graph_h = top - region_bottom - 0.45
            graph_centre = np.array([fw / 2 - mx - 0.35 - graph_w / 2, top - graph_h / 2, 0.0])
        elif stacked:
            width = fw - 2 * MARGIN
            for block in (table, verdicts):
                if block.width > width:
                    block.scale_to_fit_width(width)
            room = top - bottom - table.height - verdicts.height - 1.3
            picture_h, graph_h = room * 0.55, room * 0.45 - 0.6
            picture_centre = np.array([0.0, top - picture_h / 2, 0.0])
            picture_w = width - 1.6
            graph_w = width - 1.2
            graph_centre = np.array([0.45, top - picture_h - 0.55 - graph_h / 2, 0.0])
            table.next_to([0, graph_centre[1] - graph_h / 2 - 0.65, 0], DOWN, buff=0)
            verdicts.next_to(table, DOWN, buff=0.35).set_x(0)
        else:
            left_w = fw * 0.47
            right_left = -fw / 2 + MARGIN + left_w + 0.6
            right_w = fw / 2 - MARGIN - right_left
            picture_w, picture_h = left_w - 0.4, top - bottom - verdicts.height - 1.1
            picture_centre = np.array([-fw / 2 + MARGIN + left_w / 2, top - picture_h / 2, 0.0])
            verdicts.next_to([picture_centre[0], top - picture_h - 0.55, 0], DOWN, buff=0)
            if verdicts.width > left_w:
                verdicts.scale_to_fit_width(left_w)
            if table.width > right_w:
                table.scale_to_fit_width(right_w)
            table.move_to([right_left + right_w / 2, 0, 0]).align_to([0, bottom + 0.1, 0], DOWN)
            graph_w = right_w - 1.7  # room for the last eps label, centred on the axis end
            graph_h = table.get_top()[1] - 0.95 - top
            graph_h = top - table.get_top()[1] - 0.95
            graph_centre = np.array([right_left + 1.1 + graph_w / 2, top - graph_h / 2, 0.0])

        picture = Picture(self, picture_centre, picture_w, picture_h, SQUARE_INSET_FRACTION if square else INSET_FRACTION)
        axes = self.ratio_axes(graph_w, graph_h, graph_centre)
        u0, _ = pl.u_range
        y0, y1 = pl.y_range
        good_dot = Dot(axes.c2p(u0, pl.good_curve[0]), radius=0.07, color=theme.good).set_z_index(3)
        bad_dot = Dot(radius=0.07, color=theme.bad).set_z_index(3)
        bad_dot.move_to(axes.c2p(u0, min(pl.bad_curve[0], y1)))
        u_tracker = ValueTracker(u0)

        def follow(_: Mobject) -> None:
            u = u_tracker.get_value()
            picture.show(10.0 ** (-u))
            for dot, which in ((good_dot, "good"), (bad_dot, "bad")):
                _, y = pl.point_at(which, u)
                inside = y0 <= y <= y1
                dot.move_to(axes.c2p(u, min(max(y, y0), y1)))
                dot.set_opacity(1.0 if inside else 0.0)

        follow(good_dot)
        self.caption(
            "The tangent's error r(eps) is the gap between f and its tangent at x0 + eps. "
            "Compare it with eps: zoom in as eps shrinks, and look at r(eps)/eps.",
            INTRO_SECONDS,
        )
        self.timed_play(INTRO_SECONDS * 0.6, Write(header), Create(axes), FadeIn(picture.group))
        self.timed_play(INTRO_SECONDS * 0.4, FadeIn(table[0]), FadeIn(good_dot), FadeIn(bad_dot))

        self.caption(
            f"Shrink eps, zooming with it. The tangent's gap closes and r(eps)/eps falls to 0, while the approximation "
            f"off by {self.plain(pl.bad_error_tex)} "
            + ("keeps its gap and a ratio near " + decimal_label(p.slope_offset, 3) if p.value_offset == 0 else "leaves the picture: its ratio blows up")
            + ".",
            pl.shrink_seconds,
        )
        segment_seconds = p.seconds / max(1, len(pl.rows) - 1)
        self.timed_play(HOLD_SECONDS, FadeIn(rows[0]))
        good_dot.add_updater(follow)
        keep_redrawn(bad_dot, picture.group)
        for row, (u_from, u_to) in zip(rows[1:], zip(pl.stops, pl.stops[1:]), strict=True):
            pieces = [self.piece(axes, "good", u_from, u_to), self.piece(axes, "bad", u_from, u_to)]
            moves = [Create(piece, rate_func=linear) for piece in pieces if piece is not None]
            self.timed_play(segment_seconds, u_tracker.animate(rate_func=linear).set_value(u_to), *moves)
            self.timed_play(HOLD_SECONDS, FadeIn(row))
        good_dot.remove_updater(follow)
        stop_redrawing(bad_dot, picture.group)

        self.caption(
            "So the tangent's error is little-o of eps: it vanishes faster than eps itself. "
            "Any other line's error does not. That is what makes the tangent the best linear approximation.",
            ENDING_SECONDS,
        )
        self.timed_play(1.0, FadeIn(verdicts))
        self.timed_wait(ENDING_SECONDS - 1.0)

    def verdicts(self) -> VGroup:
        theme, pl = self.theme, self.plan
        good = self.math(
            r"r(\varepsilon) = o(\varepsilon)" if pl.remainder_is_little_o else r"r(\varepsilon) \ne o(\varepsilon)",
            size=FONT_BODY,
            colour=theme.good,
        )
        bad = self.math(
            f"r(\\varepsilon) + {pl.bad_error_tex}" + (r" = o(\varepsilon)" if pl.bad_is_little_o else r" \ne o(\varepsilon)"),
            size=FONT_BODY,
            colour=theme.bad,
        )
        return VGroup(good, bad).arrange(DOWN, buff=0.2)

    def ratio_axes(self, width: float, height: float, centre: np.ndarray) -> Axes:
        """r/eps against eps (log scale, eps shrinking to the right), eps ticks at the table's values."""
        theme, pl = self.theme, self.plan
        u0, u1 = pl.u_range
        y0, y1 = pl.y_range
        axes = bare_axes(theme, (u0, u1, y0, y1), width, height).move_to(centre)
        eps_labels = [self.math(row.eps_tex, size=FONT_LABEL, colour=theme.muted).next_to(axes.c2p(u, y0), DOWN, buff=0.12)
                      for row, u in zip(pl.rows, pl.stops, strict=True)]  # below the plot, where no axis line runs
        shown: list[Mobject] = []
        for label in eps_labels:  # a narrow graph names every other eps (the table names them all)
            if not shown or label.get_left()[0] > shown[-1].get_right()[0] + 0.15:
                shown.append(label)
        if eps_labels and shown[-1] is not eps_labels[-1] and len(shown) > 1:
            if eps_labels[-1].get_left()[0] > shown[-2].get_right()[0] + 0.15:
                shown[-1] = eps_labels[-1]
        axes.add(*shown)
        for y in tick_values(y0, y1, 3):
            if y != 0.0:
                axes.add(self.math(decimal_label(y, 4), size=FONT_LABEL, colour=theme.muted).next_to(axes.c2p(u0, y), LEFT, buff=0.12))
        name = self.math(r"\varepsilon \to 0", size=FONT_LABEL, colour=theme.muted)
        name.next_to(axes.c2p(u1, y1), DOWN + LEFT, buff=0.05)
        # the curves end at the right: the name goes midway between them where there is room (a bad ratio that
        # settles near the top, as for eps_values reaching 1e-12, would run through it in the corner)
        good_end, bad_end = float(pl.good_curve[-1]), min(float(pl.bad_curve[-1]), y1)
        low_end, high_end = sorted((good_end, bad_end))
        room = axes.c2p(u1, high_end)[1] - axes.c2p(u1, low_end)[1]
        corner_clear = axes.c2p(u1, y1)[1] - axes.c2p(u1, high_end)[1] > name.height + 0.25
        if not corner_clear and room > name.height + 0.4:
            name.move_to([name.get_center()[0], axes.c2p(u1, (low_end + high_end) / 2)[1], 0.0])
        axes.add(name)
        if pl.bad_leaves_plot():
            escape = self.math(r"\uparrow \infty", size=FONT_LABEL, colour=theme.bad)
            escape.next_to(axes.c2p(u0, y1), RIGHT, buff=0.25).shift(DOWN * 0.15)
            axes.add(escape)
        return axes

    def piece(self, axes: Axes, which: str, u_from: float, u_to: float) -> VMobject | None:
        points = self.plan.curve_points(which, u_from, u_to)
        if len(points) < 2:
            return None
        colour = self.theme.good if which == "good" else self.theme.bad
        curve = VMobject(color=colour, stroke_width=self.theme.stroke(4))
        curve.set_points_as_corners([axes.c2p(u, y) for u, y in points])
        return curve

    def ratio_table(self, good_label: VGroup, bad_label: VGroup) -> tuple[VGroup, list[VGroup]]:
        theme, pl = self.theme, self.plan
        cells = [self.math(r"\varepsilon", size=FONT_BODY, colour=theme.muted), good_label, bad_label]
        for row in pl.rows:
            cells += [
                self.math(row.eps_tex, size=FONT_LABEL),
                self.math(row.good_tex, size=FONT_LABEL, colour=theme.good),
                self.math(row.bad_tex, size=FONT_LABEL, colour=theme.bad),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.rows) + 1, cols=3, buff=(0.6, 0.2))
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.rows))]
        return VGroup(VGroup(*cells[:3]), *rows), rows

    @staticmethod
    def plain(tex: str) -> str:
        return tex.replace("\\varepsilon", "eps").replace(" ", "")


class Picture:
    """f, its tangent and the offset line near (x0, f(x0)), in a window that shrinks with eps (both axes),
    with the run eps and the two gaps at x0 + eps drawn as bars."""

    def __init__(self, scene: LittleOScene, centre: np.ndarray, width: float, height: float,
                 inset_fraction: float = INSET_FRACTION) -> None:
        theme, pl = scene.theme, scene.plan
        self.inset_fraction = inset_fraction
        self.plan, self.centre, self.width, self.height = pl, centre, width, height
        frame = Rectangle(width=width, height=height, color=theme.grid, stroke_width=theme.stroke(2)).move_to(centre)
        self.curve = VMobject(color=theme.curve, stroke_width=theme.stroke(4))
        self.tangent = Line(centre, centre + RIGHT, color=theme.good, stroke_width=theme.stroke(3))
        self.offset = Line(centre, centre + RIGHT, color=theme.bad, stroke_width=theme.stroke(3))
        self.run = Line(centre, centre + RIGHT, color=theme.muted, stroke_width=theme.stroke(2.5))
        self.good_bar = Line(centre, centre + UP, color=theme.good, stroke_width=theme.stroke(7))
        self.bad_bar = Line(centre, centre + UP, color=theme.bad, stroke_width=theme.stroke(7))
        self.point = Dot(radius=0.07, color=theme.point).set_z_index(3)
        self.moving = Dot(radius=0.06, color=theme.curve).set_z_index(3)
        self.eps_label = scene.math(r"\varepsilon", size=FONT_LABEL, colour=theme.muted)
        self.good_label = scene.math(r"r(\varepsilon)", size=FONT_LABEL, colour=theme.good)
        self.scene = scene
        self.build_inset(theme)
        self.bad_label = scene.math(f"r(\\varepsilon) + {pl.bad_error_tex}", size=FONT_LABEL, colour=theme.bad)
        legend = VGroup(scene.math(r"\text{the window shrinks with } \varepsilon", size=FONT_LABEL, colour=theme.muted))
        if legend.width > width:  # a narrow picture: two lines
            legend = VGroup(
                scene.math(r"\text{the window shrinks}", size=FONT_LABEL, colour=theme.muted),
                scene.math(r"\text{with } \varepsilon", size=FONT_LABEL, colour=theme.muted),
            ).arrange(DOWN, buff=0.1)
        legend.next_to(frame, DOWN, buff=0.12)
        self.legend = legend
        self.group = VGroup(
            frame, self.curve, self.tangent, self.offset, self.run, self.good_bar, self.bad_bar,
            self.point, self.moving, self.eps_label, self.bad_label, legend,
            self.marker, self.connector, self.inset,
        )
        self.bar_gap = 0.14
        self.last_direction: dict[int, tuple[int, np.ndarray, float]] = {}
        self.inset_centre = self.clearest_corner()
        self.show(pl.params.eps_values[0])

    def build_inset(self, theme: Any) -> None:
        """The magnifier: an opaque box showing f and the tangent around the gap at x0 + eps, magnified by the
        plan's 1-2-5 step (named in it), with the gap r(eps) as a bar and its name; a square marks what it shows."""
        self.inset_h = self.inset_fraction * self.height
        aspect = INSET_ASPECT if self.inset_fraction == INSET_FRACTION else SQUARE_INSET_ASPECT
        self.inset_w = min(self.inset_h * aspect, 0.45 * self.width)
        self.inset_frame = Rectangle(width=self.inset_w, height=self.inset_h, color=theme.muted,
                                     stroke_width=theme.stroke(2), fill_color=theme.background, fill_opacity=1.0)
        self.inset_curve = VMobject(color=theme.curve, stroke_width=theme.stroke(4))
        self.inset_tangent = Line(ORIGIN, RIGHT, color=theme.good, stroke_width=theme.stroke(3))
        self.inset_bar = Line(ORIGIN, UP, color=theme.good, stroke_width=theme.stroke(7))
        # every magnification the clip will name, typeset now and shown one at a time (a text swapped into a
        # group mid-animation would not be redrawn, and the one it replaced would linger)
        self.zoom_labels: dict[str, Mobject] = {}
        for m, k in self.plan.magnification_steps(self.inset_fraction):
            tex = self.plan.magnification_tex(m, k)
            self.zoom_labels[tex] = self.scene.math(tex, size=FONT_LABEL, colour=theme.muted).set_opacity(0.0)
        self.zoom_slot = VGroup(*self.zoom_labels.values())
        self.zoom_shown: Mobject | None = None
        # opaque backings: the inset's lines pass under its two labels, never through them
        self.good_backing = _backing(theme.background)
        self.zoom_backing = _backing(theme.background)
        self.inset = VGroup(self.inset_frame, self.inset_curve, self.inset_tangent, self.inset_bar,
                            self.good_backing, self.zoom_backing, self.good_label, self.zoom_slot)
        self.marker = VMobject(color=theme.muted, stroke_width=theme.stroke(2))
        self.connector = Line(ORIGIN, RIGHT, color=theme.muted, stroke_width=theme.stroke(2))

    def clearest_corner(self) -> np.ndarray:
        """The centre of the picture's corner box (the inset's size) that the main lines cross least, over the
        first and the last eps (the picture looks alike in between: it zooms with eps)."""
        eps_values = self.plan.params.eps_values
        points = []
        for eps in (eps_values[0], eps_values[-1]):
            self.show(eps, with_inset=False)
            points.append(np.concatenate([self.curve.points[:, :2], _along(self.tangent), _along(self.offset),
                                          _along(self.run), _along(self.good_bar), _along(self.bad_bar)]))
        lines = np.concatenate(points)
        pad = 0.08
        half = np.array([self.inset_w, self.inset_h]) / 2
        corners: list[tuple[int, int, np.ndarray]] = []
        for sx, sy in ((-1, 1), (1, 1), (-1, -1), (1, -1)):
            centre = self.centre[:2] + np.array([sx * (self.width / 2 - half[0] - pad), sy * (self.height / 2 - half[1] - pad)])
            hits = int(np.count_nonzero(np.all((lines >= centre - half - 0.1) & (lines <= centre + half + 0.1), axis=1)))
            corners.append((hits, len(corners), centre))
        best = min(corners, key=lambda c: (c[0], c[1]))[2]
        return np.array([best[0], best[1], 0.0])

    def to_screen(self, u: Any, y: Any, box: tuple[float, float, float, float]) -> np.ndarray:
        """Plot coordinates (numbers or arrays) -> screen points, one row each."""
        u0, u1, y0, y1 = box
        sx = self.centre[0] + (np.asarray(u) - (u0 + u1) / 2) / (u1 - u0) * self.width
        sy = self.centre[1] + (np.asarray(y) - (y0 + y1) / 2) / (y1 - y0) * self.height
        return np.column_stack([np.atleast_1d(sx), np.atleast_1d(sy), np.zeros(np.size(sx))])

    def show(self, eps: float, with_inset: bool = True) -> None:
        pl = self.plan
        box = pl.picture_box(eps)
        u0, u1, y0, y1 = box
        us = np.linspace(u0, u1, PICTURE_SAMPLES)
        ys = pl.curve_rise(us, eps)
        inside = np.isfinite(ys) & (ys >= y0) & (ys <= y1)
        pieces = [np.column_stack([us[a:b], ys[a:b]]) for a, b in _runs(inside)]
        set_polyline(self.curve, pieces, lambda part: self.to_screen(part[:, 0], part[:, 1], box))
        self.place_line(self.tangent, 0.0, float(pl.slope), box)
        p = pl.params
        self.place_line(self.offset, -p.value_offset, float(pl.slope) - p.slope_offset, box)
        origin = self.to_screen(0.0, 0.0, box)[0]
        self.point.move_to(origin)
        curve_y = float(pl.curve_rise(np.array([eps]), eps)[0])
        tangent_y, offset_y = pl.tangent_rise(eps), pl.offset_rise(eps)
        clip = lambda y: min(max(y, y0), y1)  # noqa: E731
        at_curve, at_tangent, at_offset = self.to_screen([eps] * 3, [clip(curve_y), clip(tangent_y), clip(offset_y)], box)
        place_segment(self.good_bar, at_tangent, at_curve)
        shift = np.array([self.bar_gap, 0.0, 0.0])
        place_segment(self.bad_bar, at_offset + shift, at_curve + shift)
        self.moving.move_to(at_curve)
        run_end = self.to_screen(eps, 0.0, box)[0]
        place_segment(self.run, origin, run_end)
        if not with_inset:
            return
        self.show_inset(eps, (at_tangent + at_curve) / 2)
        lines = np.concatenate(
            [self.curve.points[:, :2], _along(self.tangent), _along(self.offset), _along(self.run), _along(self.bad_bar),
             _along(self.connector)]
        )
        self.place_clear(self.eps_label, (origin + run_end) / 2, (DOWN, UP), np.concatenate([lines, _along(self.good_bar)]),
                         [self.inset_frame])
        self.place_clear(self.bad_label, (at_offset + at_curve) / 2 + shift, (RIGHT, UP + RIGHT, DOWN + RIGHT), lines,
                         [self.eps_label, self.inset_frame, self.marker])

    def show_inset(self, eps: float, gap_middle: np.ndarray) -> None:
        """The inset at this eps: its box from the plan, f and the tangent in it, the gap bar and its name, the
        magnification; the marker square around the gap in the picture and a line from it to the inset."""
        pl, centre = self.plan, self.inset_centre
        self.inset_frame.move_to(centre)
        half_w, half_h = pl.inset_window(eps, self.inset_w / self.inset_h, self.inset_fraction)
        box = (-half_w, half_w, -half_h, half_h)  # offsets from the gap's middle

        def to_inset(u: Any, y: Any) -> np.ndarray:
            sx = centre[0] + np.asarray(u) / (2 * half_w) * self.inset_w
            sy = centre[1] + np.asarray(y) / (2 * half_h) * self.inset_h
            return np.column_stack([np.atleast_1d(sx), np.atleast_1d(sy), np.zeros(np.size(sx))])

        offsets = np.linspace(-half_w, half_w, INSET_SAMPLES)
        ys = pl.inset_curve(eps, offsets, half_h)
        inside = np.isfinite(ys) & (ys >= -half_h) & (ys <= half_h)
        pieces = [np.column_stack([offsets[a:b], ys[a:b]]) for a, b in _runs(inside)]
        set_polyline(self.inset_curve, pieces, lambda part: to_inset(part[:, 0], part[:, 1]))
        half_gap = pl.remainder_at(eps) / 2
        segment = line_in_box(0.0, -half_gap, float(pl.slope), box)  # the tangent passes under the gap's middle
        show_stroke(self.inset_tangent, segment is not None)
        if segment is not None:
            ends = to_inset([segment[0][0], segment[1][0]], [segment[0][1], segment[1][1]])
            place_segment(self.inset_tangent, ends[0], ends[1])
        bar = to_inset([0.0, 0.0], [-half_gap, half_gap])
        place_segment(self.inset_bar, bar[0], bar[1])
        m, k = pl.inset_magnification(eps, self.inset_fraction)
        tex = pl.magnification_tex(m, k)
        zoom = self.zoom_labels[tex]
        if zoom is not self.zoom_shown:
            if self.zoom_shown is not None:
                self.zoom_shown.set_opacity(0.0)
            zoom.set_opacity(1.0)
            self.zoom_shown = zoom
        bar_points = np.repeat(_along(self.inset_bar), 20, axis=0)  # the gap itself is never to be covered
        inset_lines = np.concatenate([self.inset_curve.points[:, :2], _along(self.inset_tangent), bar_points])
        limits = (centre[:2] - np.array([self.inset_w, self.inset_h]) / 2, centre[:2] + np.array([self.inset_w, self.inset_h]) / 2)
        self.place_clear(self.good_label, (bar[0] + bar[1]) / 2, (LEFT, RIGHT, UP + LEFT, DOWN + RIGHT), inset_lines, [],
                         limits=limits)
        half = np.array([self.inset_w, self.inset_h]) / 2
        corners = [centre[:2] + np.array([sx, sy]) * (half - 0.08 - np.array([zoom.width, zoom.height]) / 2)
                   for sx, sy in ((-1, 1), (1, 1), (-1, -1), (1, -1))]
        self.place_clear(zoom, corners, (ORIGIN,), inset_lines, [self.good_label], limits=limits)
        for backing, label in ((self.good_backing, self.good_label), (self.zoom_backing, zoom)):
            _fit_backing(backing, label)
        side = max(MARKER_MIN, self.inset_h / (m * 10.0**k))
        w, h = side * self.inset_w / self.inset_h, side
        mid = gap_middle[:2]
        square = [mid + np.array(c) for c in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2), (-w / 2, -h / 2))]
        self.marker.set_points_as_corners([[x, y, 0.0] for x, y in square])
        toward = centre[:2] - mid
        start = mid + np.array([np.sign(toward[0]) * w / 2, np.sign(toward[1]) * h / 2])
        end = centre[:2] - np.array([np.sign(toward[0]) * self.inset_w / 2, np.sign(toward[1]) * self.inset_h / 2])
        place_segment(self.connector, np.array([*start, 0.0]), np.array([*end, 0.0]))

    def place_clear(
        self, label: Mobject, anchor: np.ndarray | list[np.ndarray], directions: tuple[np.ndarray, ...], lines: np.ndarray,
        others: list[Mobject], limits: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Beside anchor (or one of several anchors), on the first side where no line point or other label falls in
        the label's box (inside the frame, or ``limits``' (low, high) corners).

        Boxes are worked out from the label's size (what next_to would do), and the label moves once.
        """
        low_limit = self.centre[:2] - np.array([self.width, self.height]) / 2
        high_limit = self.centre[:2] + np.array([self.width, self.height]) / 2
        if limits is not None:
            low_limit, high_limit = limits
        anchors = anchor if isinstance(anchor, list) else [anchor]
        half = np.array([label.width, label.height]) / 2
        other_boxes = [(o.get_corner(DOWN + LEFT)[:2], o.get_corner(UP + RIGHT)[:2]) for o in others]
        best, fewest = (0, directions[0], LABEL_BUFF), None
        last = self.last_direction.get(id(label))
        # beside it, else a step further
        tries = [(i, d, b) for b in (LABEL_BUFF, LABEL_BUFF + 0.2) for i in range(len(anchors)) for d in directions]
        if last is not None:  # keep the side it had while that side stays clear (no flicker)
            tries = [last] + [t for t in tries if not (t[0] == last[0] and t[1] is last[1] and t[2] == last[2])]
        for index, direction, buff in tries:
            centre = anchors[index][:2] + direction[:2] * (buff + half)
            low, high = centre - half - 0.04, centre + half + 0.04
            hits = int(np.count_nonzero(np.all((lines >= low) & (lines <= high), axis=1)))
            hits += 100 * sum(bool(np.all(o_low <= high) and np.all(o_high >= low)) for o_low, o_high in other_boxes)
            if low[1] < low_limit[1] or high[1] > high_limit[1]:
                hits += 1000
            if limits is not None and (low[0] < low_limit[0] or high[0] > high_limit[0]):
                hits += 1000
            if fewest is None or hits < fewest:
                best, fewest = (index, direction, buff), hits
            if hits == 0:
                break
        self.last_direction[id(label)] = best
        centre = anchors[best[0]][:2] + best[1][:2] * (best[2] + half)
        centre[1] = min(max(centre[1], low_limit[1] + half[1]), high_limit[1] - half[1])
        if limits is not None:
            centre[0] = min(max(centre[0], low_limit[0] + half[0]), high_limit[0] - half[0])
        label.move_to([centre[0], centre[1], 0.0])

    def place_line(self, line: Line, intercept: float, slope: float, box: tuple[float, float, float, float]) -> None:
        segment = line_in_box(0.0, intercept, slope, box)
        show_stroke(line, segment is not None)
        if segment is None:  # the line has left the window
            return
        (ua, ya), (ub, yb) = segment
        ends = self.to_screen([ua, ub], [ya, yb], box)
        place_segment(line, ends[0], ends[1])


def _backing(colour: str) -> Rectangle:
    """An opaque box in the background colour, laid under a label so that lines pass beneath it."""
    return Rectangle(width=1.0, height=1.0, stroke_width=0, fill_color=colour, fill_opacity=1.0)


def _fit_backing(backing: Rectangle, label: Mobject, pad: float = 0.05) -> None:
    """Size and move the backing to the label's box plus pad (only when they changed)."""
    width, height = label.width + 2 * pad, label.height + 2 * pad
    if abs(backing.width - width) > 1e-9 or abs(backing.height - height) > 1e-9:
        backing.stretch_to_fit_width(width).stretch_to_fit_height(height)
    backing.move_to(label.get_center())


def _along(line: Mobject, count: int = 40) -> np.ndarray:
    """Points along a straight line's (or dashed line's) span, for label placement."""
    start, end = line.get_start()[:2], line.get_end()[:2]
    return start + np.outer(np.linspace(0.0, 1.0, count), end - start)


def _runs(keep: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of at least two consecutive True values."""
    runs, start = [], None
    for i, flag in enumerate([*keep, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= 2:
                runs.append((start, i))
            start = None
    return runs

