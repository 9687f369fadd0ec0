"""zoom-linearity: magnify y = f(x) about (a, f(a)) on both axes until the curve is its tangent line.

Everything in the window (curve, grid, axes, tick labels) is updated in place each frame from
plan.view(zoom); tick labels are typeset once per distinct value and then only moved.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Create, Dot, FadeOut, FadeIn, Line, Mobject, Rectangle, ValueTracker, VGroup, VMobject,
    Write, smooth,
)

from calcanim.number_format import plain_number
from calcanim.params.zoom_linearity import ZoomLinearityParams
from calcanim.plans.zoom_linearity import ENDING_SECONDS, INTRO_SECONDS, View, ZoomLinearityPlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed, NextTo, place_segment, set_polyline, show_stroke

#: Nothing within this share of the frame's short side from its edge.
EDGE_SHARE = 0.035
#: Least room left of the plot for y tick labels (more when they are long), and below it for x tick labels (manim units).
Y_LABEL_ROOM = 1.35
X_LABEL_ROOM = 0.55
#: Width the text panel beside the plot needs; otherwise the text goes above and below.
SIDE_PANEL_WIDTH = 4.6
#: Grid lines and labels kept per axis (the plan's ticks are at most 8).
TICK_POOL = 12
#: Between the header and the plot when they are stacked (manim units).
HEADER_GAP = 0.35


class ZoomLinearityScene(FrameTimed, CalcanimScene[ZoomLinearityParams, ZoomLinearityPlan]):
    """Zoom into y = f(x) at x = a by each factor of the plan; a smooth curve becomes a line."""

    def construct(self) -> None:
        theme, p, plan_ = self.theme, self.params, self.plan
        self.start_clock()
        self.y_label_room = max(Y_LABEL_ROOM, self.widest_y_label() + 0.35)
        side, stacked = self.plot_geometry()
        # Square and 4:3 frames stack too, but have little height: the header's rows go two by two
        # and the numbers under the plot side by side, and the plot takes the height that is left.
        self.compact = stacked and not self.portrait
        title = self.math(rf"y = {plan_.function_tex}", size=FONT_TITLE)
        where = self.math(rf"\text{{near }} x = {plan_.point_label}", size=FONT_BODY, colour=theme.muted)
        zoom_value = self.number(p.zooms[0], 0, size=FONT_BODY, group_with_commas=True)
        zoom_row = VGroup(self.math(r"\text{zoom } \times", size=FONT_BODY), zoom_value).arrange(RIGHT, buff=0.15)
        if p.equal_axes:
            axes_note = self.math(r"\text{both axes, same factor}", size=FONT_LABEL, colour=theme.muted)
        else:
            axes_note = VGroup(
                self.math(r"\text{only } x \text{ is stretched:}", size=FONT_LABEL, colour=theme.bad),
                self.math(r"\text{this flattening is trivial,}", size=FONT_LABEL, colour=theme.bad),
                self.math(r"\text{any curve flattens this way}", size=FONT_LABEL, colour=theme.bad),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        if self.compact:
            header = VGroup(
                VGroup(title, where).arrange(RIGHT, buff=0.5, aligned_edge=DOWN),
                # The note keeps clear of the zoom readout at its widest (the last factor).
                VGroup(zoom_row, axes_note).arrange(RIGHT, buff=0.6 + self.widest_zoom() - zoom_value.width, aligned_edge=UP),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
            side = min(side, self.compact_side(header.height))
        else:
            header = VGroup(title, where, zoom_row, axes_note).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        self.header_height = header.height
        self.side = side
        frame = Rectangle(width=side, height=side).set_stroke(theme.axis, theme.stroke(2))
        frame.move_to(self.plot_centre(side, stacked))
        self.plot_frame = frame
        centre = frame.get_center()

        log_zoom = ValueTracker(float(np.log(p.zooms[0])))
        self.log_zoom = log_zoom
        view_holder: list[View] = [plan_.view(p.zooms[0])]

        def to_screen(xy: np.ndarray) -> np.ndarray:
            view = view_holder[0]
            sx = (xy[:, 0] - (view.x.low + view.x.high) / 2) / (view.x.high - view.x.low) * side
            sy = (xy[:, 1] - (view.y.low + view.y.high) / 2) / (view.y.high - view.y.low) * side
            return centre + np.stack([sx, sy, np.zeros_like(sx)], axis=1)

        self.to_screen = to_screen
        grid_x = [Line(ORIGIN3, UP, stroke_width=theme.stroke(1), color=theme.grid) for _ in range(TICK_POOL)]
        grid_y = [Line(ORIGIN3, RIGHT, stroke_width=theme.stroke(1), color=theme.grid) for _ in range(TICK_POOL)]
        zero_lines = [Line(ORIGIN3, UP, stroke_width=theme.stroke(2), color=theme.axis) for _ in range(2)]
        grid = VGroup(*grid_x, *grid_y, *zero_lines)
        labels = VGroup()
        label_cache: dict[tuple[str, str], Mobject] = {}
        next_to = NextTo()
        curve = VMobject(stroke_color=theme.curve, stroke_width=theme.stroke(4))
        point = Dot(centre, radius=0.08, color=theme.point)
        # The tangent is on screen from the first zoom on, under the curve and wider: the viewer sees
        # the curve close onto it. Where f'(a) does not exist there is no tangent to draw.
        tangent = Line(ORIGIN3, RIGHT, color=theme.reference, stroke_width=theme.stroke(8))
        tangent.set_stroke(opacity=0.6)
        show_stroke(tangent, plan_.differentiable)

        def label(axis: str, text: str) -> Mobject:
            key = (axis, text)
            if key not in label_cache:
                label_cache[key] = self.math(text, size=FONT_LABEL, colour=theme.muted)
            return label_cache[key]

        edge = 0.5 * self.frame_width - EDGE_SHARE * min(self.frame_width, self.frame_height)

        def inside_frame(mob: Mobject) -> Mobject:
            """Shift a tick label sideways so it keeps out of the frame's edge margin."""
            if mob.get_right()[0] > edge:
                mob.shift(LEFT * (mob.get_right()[0] - edge))
            elif mob.get_left()[0] < -edge:
                mob.shift(RIGHT * (-edge - mob.get_left()[0]))
            return mob

        def redraw(_: Mobject) -> None:
            view = plan_.view(float(np.exp(log_zoom.get_value())))
            view_holder[0] = view
            set_polyline(curve, plan_.curve_parts(view), to_screen)
            ends = plan_.tangent_ends(view)
            if ends is not None:
                start, end = to_screen(np.array(ends))
                place_segment(tangent, start, end)
            shown: list[Mobject] = []
            xs = to_screen(np.array([[t, view.y.low] for t in view.x.ticks]).reshape(-1, 2))
            for i, line in enumerate(grid_x):
                show_stroke(line, i < len(xs))
                if i < len(xs):
                    place_segment(line, xs[i], xs[i] + UP * side)
                    shown.append(inside_frame(next_to(label("x", view.x.labels[i]), xs[i], DOWN, 0.15)))
            ys = to_screen(np.array([[view.x.low, t] for t in view.y.ticks]).reshape(-1, 2))
            for i, line in enumerate(grid_y):
                show_stroke(line, i < len(ys))
                if i < len(ys):
                    place_segment(line, ys[i], ys[i] + RIGHT * side)
                    shown.append(next_to(label("y", view.y.labels[i]), ys[i], LEFT, 0.15))
            # The true axes x = 0 and y = 0, when they are in the window.
            x_axis, y_axis = zero_lines
            show_stroke(x_axis, view.y.low < view.y.zero < view.y.high)
            if view.y.low < view.y.zero < view.y.high:
                start = to_screen(np.array([[view.x.low, view.y.zero]]))[0]
                place_segment(x_axis, start, start + RIGHT * side)
            show_stroke(y_axis, view.x.low < view.x.zero < view.x.high)
            if view.x.low < view.x.zero < view.x.high:
                start = to_screen(np.array([[view.x.zero, view.y.low]]))[0]
                place_segment(y_axis, start, start + UP * side)
            labels.submobjects = shown
            shown_zoom = plan_.zoom_readout(view.zoom)
            if shown_zoom != zoom_value.get_value():  # retypesetting costs more than the rest of the frame
                zoom_value.set_value(shown_zoom)

        self.place_text(header, stacked, above=True)
        self.header = header
        self.stacked = stacked

        redraw(curve)
        self.caption(
            f"y = {p.function} near x = {plan_.point_label}, at magnification {plain_number(p.zooms[0])}.",
            INTRO_SECONDS,
        )
        self.timed_play(INTRO_SECONDS * 0.5, Create(frame), FadeIn(grid), FadeIn(labels), Write(title), FadeIn(where))
        self.timed_play(
            INTRO_SECONDS * 0.5, Create(tangent), Create(curve), FadeIn(point), FadeIn(zoom_row), FadeIn(axes_note)
        )
        # One updater on a group holding everything that changes, so cairo redraws all of it each
        # frame (mobjects without updaters are painted once into a static background per play).
        live = VGroup(grid, labels, tangent, curve)
        self.remove(grid, labels, tangent, curve)
        self.add(live)
        self.live_labels = labels
        self.bring_to_front(point)
        live.add_updater(redraw)
        zoom_value.add_updater(lambda m: m)

        gap = self.hold(0, None)
        for index in range(1, len(p.zooms)):
            self.zoom_to(index, gap)
            gap = self.hold(index, None)
        live.remove_updater(redraw)
        self.live_labels = None
        zoom_value.clear_updaters()
        self.gap = gap
        self.ending(point, curve)

    live_labels: VGroup | None = None
    compact = False

    def play(self, *args: Any, **kwargs: Any) -> None:
        # Cairo draws, for the whole of a play, every mobject that was in the moving family when the
        # play began, even after it leaves its group. Tick labels come and go, so the group starts
        # each play empty and the updater refills it on the first frame.
        if self.live_labels is not None:
            self.live_labels.submobjects = []
        super().play(*args, **kwargs)

    # --- the beats ---------------------------------------------------------------------------

    def zoom_to(self, index: int, gap: Mobject) -> None:
        p, plan_ = self.params, self.plan
        zoom = plain_number(p.zooms[index])
        if p.equal_axes:
            words = f"Zoom x{zoom} on both axes about x = {plan_.point_label}, f(x) {plan_.point_value_caption}: the window shrinks, the curve straightens."
            if not plan_.differentiable:
                words = f"Zoom x{zoom} on both axes: the corner looks exactly the same as before."
        else:
            words = f"Zoom x{zoom} on x only. Stretching one axis flattens any curve: this proves nothing."
        self.caption(words, p.zoom_seconds)
        self.timed_play(
            p.zoom_seconds,
            self.log_zoom.animate(rate_func=smooth).set_value(float(np.log(p.zooms[index]))),
            FadeOut(gap, run_time=min(0.5, p.zoom_seconds)),
        )

    def hold(self, index: int, previous: Mobject | None) -> Mobject:
        """Rest at zoom index and show how far the curve strays from a line, relative to the window."""
        p, plan_ = self.params, self.plan
        gap = self.gap_group(index)
        self.place_text(gap, self.stacked, above=False)
        line_word = "its tangent" if plan_.differentiable else "any line through the point"
        self.caption(
            f"At x{plain_number(p.zooms[index])} the curve strays from {line_word} by {plan_.ratio_caption(index)} of the half-width."
            if not plan_.unbounded[index]
            else f"At x{plain_number(p.zooms[index])} the window holds a pole: the curve strays from the line without bound.",
            p.hold_seconds,
        )
        fade = min(0.4, p.hold_seconds * 0.4)
        if previous is None:
            self.timed_play(fade, FadeIn(gap))
        else:
            self.remove(previous)
            self.timed_play(fade, FadeIn(gap))
        self.timed_wait(p.hold_seconds - fade)
        return gap

    def gap_group(self, index: int) -> VGroup:
        """The half-width and how far the curve strays from a line at zoom stop ``index``."""
        plan_ = self.plan
        rows = [
            self.math(rf"\text{{half-width }} w = {plan_.half_width_tex(index)}", size=FONT_LABEL),
            self.math(rf"\frac{{\max|\,f - \text{{line}}\,|}}{{w}} = {plan_.ratio_tex(index)}", size=FONT_LABEL),
        ]
        if plan_.unbounded[index]:
            rows.append(self.math(r"\text{(a pole in the window)}", size=FONT_LABEL, colour=self.theme.bad))
        if self.compact:
            return VGroup(*rows).arrange(RIGHT, buff=0.6)
        return VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.2)

    def widest_zoom(self) -> float:
        """Width of the zoom readout's digits at the widest factor it shows."""
        plan_ = self.plan
        shown = {plan_.zoom_readout(z) for z in self.params.zooms}
        return max(self.number(z, 0, size=FONT_BODY, group_with_commas=True).width for z in shown)

    def compact_side(self, header_height: float) -> float:
        """The plot's side in a compact stacked frame: the height left after the header, the x tick
        labels and the tallest text shown under the plot (the numbers of any stop)."""
        below = max(self.gap_group(i).height for i in range(len(self.params.zooms)))
        below = max(below, 2 * self.math("f'", size=FONT_BODY).height + 0.2)  # the verdict, at most two rows
        edge = EDGE_SHARE * self.frame_height
        return self.frame_height - 2 * edge - header_height - HEADER_GAP - X_LABEL_ROOM - 0.25 - below

    def ending(self, point: Dot, curve: VMobject) -> None:
        theme, plan_ = self.theme, self.plan
        a = plan_.point_label
        if plan_.slope_label is not None:
            relation = plan_.slope_relation
            verdict = self.math(rf"\text{{slope}} = f'({a}) {relation} {plan_.slope_label}", size=FONT_BODY, colour=theme.reference)
            said = "=" if relation == "=" else "≈"
            words = f"The line that appeared has slope f'({a}) {said} {plan_.slope_label}. That slope is the derivative."
            if not self.params.equal_axes:
                words += " (With x stretched alone, though, the flat look itself was trivial.)"
            shows = [FadeIn(verdict)]
        else:
            verdict = VGroup(
                self.math(r"\text{a corner: no line appears}", size=FONT_BODY, colour=theme.bad),
                self.math(rf"f'({a}) \text{{ does not exist}}", size=FONT_BODY, colour=theme.bad),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            words = f"However far we zoom, the corner stays: no single line fits, so f'({a}) does not exist."
            shows = [FadeIn(verdict)]
        self.place_text(verdict, self.stacked, above=False, below_header=not self.stacked)
        if self.stacked:
            shows.append(FadeOut(self.gap))
        self.caption(words, ENDING_SECONDS)
        self.timed_play(ENDING_SECONDS * 0.4, *shows)
        self.add(curve, point)
        self.timed_wait(ENDING_SECONDS * 0.6)

    # --- layout ------------------------------------------------------------------------------

    def widest_y_label(self) -> float:
        """Width of the widest y tick label at any zoom stop (offset labels at deep zooms are long)."""
        plan_ = self.plan
        texts = {text for zoom in self.params.zooms for text in plan_.view(zoom).y.labels}
        return max(self.math(text, size=FONT_LABEL).width for text in texts)

    def plot_geometry(self) -> tuple[float, bool]:
        """Side of the square plot and whether the text goes above/below it (narrow frames)."""
        width, height = self.frame_width, self.frame_height
        beside = min(height - 2 * MARGIN - X_LABEL_ROOM, width - 2 * MARGIN - self.y_label_room - SIDE_PANEL_WIDTH)
        stacked_side = min(width - 2 * MARGIN - self.y_label_room, height * 0.58)
        if beside >= stacked_side:
            return beside, False
        return stacked_side, True

    def plot_centre(self, side: float, stacked: bool) -> np.ndarray:
        if stacked and self.compact:
            top = self.frame_height / 2 - EDGE_SHARE * self.frame_height - self.header_height - HEADER_GAP
            return np.array([(self.y_label_room - 0.1) / 2, top - side / 2, 0.0])
        if stacked:
            return np.array([(self.y_label_room - 0.1) / 2, -self.frame_height * 0.04, 0.0])
        x = -self.frame_width / 2 + MARGIN + self.y_label_room + side / 2
        return np.array([x, X_LABEL_ROOM / 2, 0.0])

    def place_text(self, group: Mobject, stacked: bool, above: bool, below_header: bool = False) -> None:
        room = self.frame_width - 2 * MARGIN
        if not stacked:
            room = self.frame_width / 2 - MARGIN - (self.plot_frame.get_right()[0] + 0.6)
            if group.width > room:
                group.scale_to_fit_width(room)
            if below_header:
                group.next_to(self.gap, DOWN, buff=0.5, aligned_edge=LEFT)
            elif not above:
                group.next_to(self.header, DOWN, buff=0.4, aligned_edge=LEFT)
            else:
                group.next_to(self.plot_frame, RIGHT, buff=0.6).align_to(self.plot_frame, UP)
            return
        if group.width > room:
            group.scale_to_fit_width(room)
        if above:
            group.next_to(self.plot_frame, UP, buff=HEADER_GAP).set_x(0)
        else:
            group.next_to(self.plot_frame, DOWN, buff=X_LABEL_ROOM + 0.25).set_x(0)


ORIGIN3 = np.array([0.0, 0.0, 0.0])
