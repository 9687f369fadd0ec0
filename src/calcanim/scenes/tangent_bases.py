"""tangent-bases: y = b^x and its tangent at (0, 1) as b sweeps; the slope ln b locks to 1 at b = e."""

from __future__ import annotations


from collections.abc import Callable

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Axes, Create, Dot, FadeIn, FadeOut, Flash, Line, Mobject, Rectangle, ValueTracker, VGroup,
    VMobject, Write, smooth,
)

from calcanim.params.tangent_bases import TangentBasesParams
from calcanim.plans.tangent_bases import (
    ENDING_SECONDS,
    INTRO_SECONDS,
    X_RANGE,
    Y_RANGE,
    Checkpoint,
    Leg,
    TangentBasesPlan,
)
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed, place_segment, set_polyline
from calcanim.style.contrast import LINE_MIN_CONTRAST, blend, contrast_ratio

#: Width (manim units) the text panel beside the plot needs; narrower frames stack text above and below.
SIDE_PANEL_WIDTH = 3.8
#: Portrait frames: room above the plot for the readouts and below it for the table and verdict.
HEADER_ROOM = 2.6
TABLE_ROOM = 2.0
MARGIN = 0.5
#: The "ln b" label keeps this far (manim units) from the rise leg, and this much clear of any curve.
LABEL_GAP = 0.08
LABEL_CLEARANCE = 0.05


class TangentBasesScene(FrameTimed, CalcanimScene[TangentBasesParams, TangentBasesPlan]):
    """y = b^x through (0, 1), its tangent there, and the slope readout locking green at b = e."""

    def construct(self) -> None:
        theme, p = self.theme, self.params
        self.start_clock()
        axes, stacked = self.make_axes()
        origin = axes.c2p(0, 0)
        unit_x, unit_y = axes.c2p(1, 0) - origin, axes.c2p(0, 1) - origin

        def to_screen(xy: np.ndarray) -> np.ndarray:
            return origin + xy[:, :1] * unit_x + xy[:, 1:2] * unit_y

        self.to_screen = to_screen
        log_base = ValueTracker(float(np.log(p.base_min)))
        self.log_base = log_base

        title = self.math(r"y = b^{x}", size=FONT_TITLE)
        b_value = self.number(p.base_min, p.decimals, size=FONT_BODY)
        slope_value = self.number(self.plan.slope_at(p.base_min), p.decimals, size=FONT_BODY)
        self.live_readouts = (log_base, b_value, slope_value)  # what tests read back frame by frame
        b_row = VGroup(self.math("b =", size=FONT_BODY), b_value).arrange(RIGHT, buff=0.15)
        slope_row = VGroup(self.math(r"\text{slope at } 0 = \ln b =", size=FONT_BODY), slope_value).arrange(
            RIGHT, buff=0.15
        )
        static_words: list[Mobject] = [b_row[0], slope_row[0]]
        if not stacked and slope_row.width > self.panel_room(axes):  # narrow frames (1:1): two lines, same size
            words_end = self.math(r"= \ln b =", size=FONT_BODY)
            slope_row = VGroup(
                self.math(r"\text{slope at } 0", size=FONT_BODY),
                VGroup(words_end, slope_value).arrange(RIGHT, buff=0.15),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            static_words = [b_row[0], slope_row[0], words_end]
        readouts = VGroup(b_row, slope_row).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        lock_note = self.math(r"\text{slope } 1\text{: this base is } e", size=FONT_LABEL, colour=theme.good)
        header = VGroup(title, readouts, lock_note).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        self.place_panel(header, axes, stacked, top=True)
        self.quotient_anchor = (axes, stacked, header)
        self.axes = axes

        curve = VMobject(stroke_color=theme.curve, stroke_width=theme.stroke(4))
        tangent = Line(ORIGIN_POINT, RIGHT, stroke_width=theme.stroke(4))
        point = Dot(axes.c2p(0, 1), radius=0.08, color=theme.point)
        point_label = self.math("(0,\\,1)", size=FONT_LABEL, colour=theme.point)
        # A spot no curve, tangent, axis or triangle of the whole sweep ever crosses (the plan searches for it).
        unit = float(np.linalg.norm(unit_x))
        # A sweep across b = 1 may leave no such spot, but one for each side of 1: the label then hops
        # from under the point to over it as the curve passes through flat.
        spots = self.plan.point_label_spots((point_label.width + 0.1) / unit, (point_label.height + 0.1) / unit)
        label_hops = spots is not None and spots[0] != spots[1]
        if spots is None:  # curves fill every spot near the point: keep the label readable on a backing
            point_label.add_background_rectangle(color=theme.background, opacity=0.85, buff=0.05)
            point_label.next_to(point, LEFT + UP * 0.6, buff=0.12)

        def place_point_label(base: float) -> None:
            if spots is not None:
                point_label.move_to(axes.c2p(*spots[0 if base < 1.0 else 1]))

        def plot_box(mob: Mobject) -> tuple[float, float, float, float]:
            (x0, y0), (x1, y1) = ((mob.get_corner(c)[:2] - origin[:2]) / unit for c in (DOWN + LEFT, UP + RIGHT))
            return float(x0), float(x1), float(y0), float(y1)

        place_point_label(p.base_min)
        self.ghost_bases: list[float] = []  # the curves left behind so far, which the "ln b" label avoids too
        # The rise/run triangle under the tangent: run 1 along y = 1, rise ln b up to the tangent.
        run_leg = Line(ORIGIN_POINT, RIGHT, stroke_width=theme.stroke(3), color=theme.muted)
        rise_leg = Line(ORIGIN_POINT, UP, stroke_width=theme.stroke(3), color=theme.accent)
        run_label = self.math("1", size=FONT_LABEL, colour=theme.muted)
        rise_label = self.math(r"\ln b", size=FONT_LABEL, colour=theme.accent)
        run_backing, rise_backing = (
            Rectangle(width=m.width + 2 * LABEL_CLEARANCE, height=m.height + 2 * LABEL_CLEARANCE, stroke_width=0,
                      fill_color=theme.background, fill_opacity=0.0)
            for m in (run_label, rise_label)
        )
        run_label_size = ((run_label.width + 2 * LABEL_CLEARANCE) / unit, (run_label.height + 2 * LABEL_CLEARANCE) / unit)
        label_size = ((rise_label.width + 2 * LABEL_CLEARANCE) / unit, (rise_label.height + 2 * LABEL_CLEARANCE) / unit)

        shown_lock: list[bool | None] = [None]  # the lock state last painted on the readouts and note

        def follow(_: Mobject) -> None:
            base = float(np.exp(log_base.get_value()))
            set_polyline(curve, self.plan.curve_parts(base), to_screen)
            place_point_label(base)
            point_box = plot_box(point_label)
            ends = self.plan.tangent_ends(base)
            if ends is not None:
                tangent.put_start_and_end_on(*to_screen(np.array(ends)))
            corner, run_end, rise_end = to_screen(self.plan.rise_run(base))
            place_segment(run_leg, corner, run_end)
            place_segment(rise_leg, run_end, rise_end)
            # Each label beside its leg where no curve, tangent or ghost comes through (for b < 1 the
            # curve runs right past the rise leg's middle); where only the ghosts leave no room, the
            # label hides them under an opaque backing.
            gap = LABEL_GAP / unit
            self.place_label(
                run_label, run_backing,
                lambda ghosts: self.plan.run_label_centre(base, run_label_size, gap, ghosts, (point_box,)),
                lambda m: m.next_to(run_leg, DOWN if rise_end[1] >= run_end[1] else UP, buff=0.08),
            )
            self.place_label(
                rise_label, rise_backing,
                lambda ghosts: self.plan.rise_label_centre(base, label_size, gap, ghosts, (plot_box(run_label), point_box)),
                lambda m: m.next_to(rise_leg, RIGHT, buff=LABEL_GAP),
            )
            locked = self.plan.locked_at(base)
            colour = theme.good if locked else theme.accent
            tangent.set_stroke(color=colour)
            b_value.set_value(base)  # a rebuilt readout takes the colour the readout already has
            slope_value.set_value(self.plan.slope_at(base))
            if shown_lock[0] is not locked:  # recolouring every glyph each frame cost more than the rest
                for mob in (b_value, slope_value):
                    mob.set_color(theme.good if locked else theme.text)
                lock_note.set_opacity(1.0 if locked else 0.0)
                shown_lock[0] = locked

        follow(curve)
        self.caption("Every curve y = b^x passes through (0, 1), because b^0 = 1 for any base b.", INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.6, Create(axes), Write(title), FadeIn(readouts))
        triangle = (run_leg, rise_leg, run_backing, rise_backing, run_label, rise_label)
        self.timed_play(INTRO_SECONDS * 0.4, Create(curve), Create(tangent), FadeIn(point, point_label, *triangle))
        curve.add_updater(follow)
        self.add(lock_note)
        # follow() moves these from the curve's updater: without updaters of their own, manim would
        # paint them into each play's frozen background and they would only jump at the stops.
        hopping = (point_label,) if label_hops else ()
        keep_redrawn(tangent, b_value, slope_value, lock_note, *triangle, *hopping)
        # manim redraws every frame each mobject from the first moving one to the end of the scene's
        # list. So the moving ones stay last, in the order they were drawn in (the point and its label
        # too, drawn over the curve), log_base with them (it moves in each sweep), and the static
        # rest goes into the frozen background behind them: the words of the readouts (added alone,
        # they leave the readouts group), then ghosts, tables and verdict. The ghosts stay under the
        # curve; nothing else static overlaps a moving one, so the frames are unchanged.
        self.add(*static_words)
        self.moving_last: tuple[Mobject, ...] = (
            b_value, slope_value, *triangle, curve, tangent, point, point_label, lock_note, log_base
        )
        self.bring_to_front(*self.moving_last)

        ghosts: list[VMobject] = []
        for leg in self.plan.legs:
            if leg.stop is None:
                self.move(leg)
            else:
                self.rest(leg, leg.stop)
                if p.ghosts:
                    ghost = curve.copy().clear_updaters()
                    self.ghost_bases.append(float(np.exp(self.log_base.get_value())))
                    ghost.set_stroke(color=theme.muted, width=theme.stroke(2), opacity=ghost_opacity(theme.muted, theme.background))
                    ghosts.append(ghost)
                    self.add(ghost)
                    # From the first ghost on, the label is drawn under the ghosts and the curve over
                    # the tangent (the order this clip has always had); the label stays behind, static.
                    self.moving_last = (b_value, slope_value, lock_note, *triangle, tangent, curve, point, *hopping, log_base)
                    self.bring_to_front(*self.moving_last)
        self.ending(curve, tangent, point)
        curve.remove_updater(follow)
        stop_redrawing(tangent, b_value, slope_value, lock_note, *triangle, *hopping)

    def place_label(
        self, label: Mobject, backing: Mobject, find: Callable[[tuple[float, ...]], tuple[float, float] | None],
        fallback: Callable[[Mobject], object],
    ) -> None:
        """Put label at the plan's clear spot (ghosts included), else at one clear of all but the ghosts
        with its backing shown, else at ``fallback`` (backed too)."""
        ghosts = tuple(self.ghost_bases)
        spot, backed = find(ghosts), False
        if spot is None:
            spot, backed = find(()) if ghosts else None, True
        if spot is None:
            fallback(label)
        else:
            label.move_to(self.axes.c2p(*spot))
        backing.move_to(label)
        backing.set_fill(opacity=1.0 if backed else 0.0)

    # --- the beats ---------------------------------------------------------------------------

    def move(self, leg: Leg) -> None:
        rising = "steeper" if leg.end > leg.start else "gentler"
        start, end = self.plan.base_text(leg.start), self.plan.base_text(leg.end)
        self.caption(f"As b changes from {start} to {end}, the curve leaves (0, 1) {rising}.", leg.seconds)
        self.timed_play(leg.seconds, self.log_base.animate.set_value(float(np.log(leg.end))), rate_func=smooth)

    def rest(self, leg: Leg, stop: Checkpoint) -> None:
        b_text = self.plan.base_text(stop.base)
        slope_text, comparison = self.plan.slope_comparison(stop.slope)
        if stop.locked and b_text == "e":
            words = f"At b = e the slope is ln e = 1: the readout locks green. This base is e."
        elif stop.locked:
            words = (
                f"At b = {b_text} the slope is ln b = {slope_text}, {comparison} but within "
                f"{self.params.lock_tolerance:g} of it: the readout locks green. This base is close to e."
            )
        else:
            words = f"At b = {b_text} the slope is ln b = {slope_text}, {comparison}."
        if not self.params.quotients:
            self.caption(words, leg.seconds)
            if stop.locked:
                self.timed_play(min(0.6, leg.seconds), Flash(self.to_screen(np.array([[0.0, 1.0]]))[0], color=self.theme.good))
                self.timed_wait(leg.seconds - min(0.6, leg.seconds))
            else:
                self.timed_wait(leg.seconds)
            return
        self.caption(words + " The secant slope (b^h - 1)/h closes in on it as h shrinks.", leg.seconds)
        table = self.quotient_table(stop, b_text)
        rows = table[1:]
        appear = leg.seconds * 0.7 / len(rows)
        self.timed_play(appear, FadeIn(table[0]), FadeIn(rows[0]))
        self.bring_to_front(*self.moving_last)  # the rows shown so far join the frozen background
        for row in rows[1:]:
            self.timed_play(appear, FadeIn(row))
            self.bring_to_front(*self.moving_last)
        self.timed_wait(leg.seconds * 0.3 - min(0.3, leg.seconds * 0.15))
        self.timed_play(min(0.3, leg.seconds * 0.15), FadeOut(table))

    def quotient_table(self, stop: Checkpoint, b_text: str) -> VGroup:
        """(b^h - 1)/h for each h of the plan, then the limit ln b."""
        colour = self.theme.good if stop.locked else self.theme.text
        head = self.math(rf"\frac{{{b_text}^h - 1}}{{h}}", size=FONT_LABEL, colour=self.theme.muted)
        texts = self.plan.quotient_rows(stop)
        rows = [self.math(text, size=FONT_LABEL, colour=self.theme.muted) for text in texts[:-1]]
        rows.append(self.math(texts[-1], size=FONT_LABEL, colour=colour))
        axes, stacked, header = self.quotient_anchor
        if stacked:
            # Two columns under the plot: the formula, then h = 1, 0.1 | 0.01, 0.001 | the limit.
            body = VGroup(*rows).arrange_in_grid(cols=2, col_alignments="ll", buff=(0.6, 0.15), flow_order="dr")
            table = VGroup(head, body).arrange(RIGHT, buff=0.5)
            if table.width > self.frame_width - 2 * MARGIN:
                table.scale_to_fit_width(self.frame_width - 2 * MARGIN)
            table.next_to(axes, DOWN, buff=0.4).set_x(0)
        else:
            table = VGroup(head, *rows).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            table.next_to(header, DOWN, buff=0.45, aligned_edge=LEFT)
            room = self.frame_width / 2 - MARGIN - table.get_left()[0]
            if table.width > room:
                table.scale_to_fit_width(room).next_to(header, DOWN, buff=0.45, aligned_edge=LEFT)
        return table

    def ending(self, curve: VMobject, tangent: Line, point: Dot) -> None:
        plan_ = self.plan
        e_tex = rf"b = e = {plan_.unit_slope_base_label[:-3]}\ldots"
        if plan_.unit_slope_base_in_sweep:
            words = f"Back to b = e = {plan_.unit_slope_base_label}: the one base whose curve leaves (0, 1) with slope exactly 1."
            parts, colour = (r"\text{slope } 1 \iff", e_tex), self.theme.good
        else:
            words = f"The base with slope exactly 1 is e = {plan_.unit_slope_base_label}, outside this sweep."
            parts, colour = (r"\text{slope } 1 \text{ only at }", e_tex), self.theme.reference
        axes, stacked, header = self.quotient_anchor
        verdict: Mobject = self.math(" ".join(parts), size=FONT_BODY, colour=colour)
        left = -self.frame_width / 2 + MARGIN if stacked else header.get_left()[0]
        room = self.frame_width / 2 - MARGIN - left
        if verdict.width > room:  # two lines rather than a smaller font
            verdict = VGroup(*(self.math(part, size=FONT_BODY, colour=colour) for part in parts)).arrange(
                DOWN, aligned_edge=LEFT, buff=0.15
            )
        if stacked:
            verdict.next_to(axes, DOWN, buff=0.5).set_x(0)
        else:
            verdict.next_to(header, DOWN, buff=0.6, aligned_edge=LEFT)
        self.caption(words, ENDING_SECONDS)
        if plan_.unit_slope_base_in_sweep:
            self.timed_play(
                ENDING_SECONDS * 0.5, self.log_base.animate.set_value(float(np.log(plan_.unit_slope_base))), rate_func=smooth
            )
            self.timed_play(ENDING_SECONDS * 0.2, FadeIn(verdict), Flash(point, color=self.theme.good))
            self.bring_to_front(*self.moving_last)  # the verdict joins the frozen background
            self.timed_wait(ENDING_SECONDS * 0.3)
        else:
            self.timed_play(ENDING_SECONDS * 0.3, FadeIn(verdict))
            self.bring_to_front(*self.moving_last)
            self.timed_wait(ENDING_SECONDS * 0.7)

    # --- layout ------------------------------------------------------------------------------

    def make_axes(self) -> tuple[Axes, bool]:
        """Equal units on both axes (so slope 1 looks like 45 degrees), sized to the frame."""
        theme = self.theme
        x_span, y_span = X_RANGE[1] - X_RANGE[0], Y_RANGE[1] - Y_RANGE[0]
        width, height = self.frame_width, self.frame_height
        stacked = self.portrait
        if stacked:
            # Readouts above the plot, the quotient table and verdict below it.
            unit = min((width - 2 * MARGIN - 0.6) / x_span, (height - 2 * MARGIN - HEADER_ROOM - TABLE_ROOM) / y_span)
        else:
            unit = min((height - 2 * MARGIN - 0.4) / y_span, (width - 3 * MARGIN - 0.3 - SIDE_PANEL_WIDTH) / x_span)
        axes = Axes(
            x_range=(X_RANGE[0], X_RANGE[1], 1),
            y_range=(Y_RANGE[0], Y_RANGE[1], 1),
            x_length=unit * x_span,
            y_length=unit * y_span,
            tips=False,
            # No tick marks: the grid marks the integers and the labels sit at the plot's edges.
            axis_config={"color": theme.axis, "stroke_width": theme.stroke(2), "include_ticks": False},
        )
        grid = VGroup(
            *[Line(axes.c2p(x, Y_RANGE[0]), axes.c2p(x, Y_RANGE[1])) for x in range(int(X_RANGE[0]), int(X_RANGE[1]) + 1)],
            *[Line(axes.c2p(X_RANGE[0], y), axes.c2p(X_RANGE[1], y)) for y in range(int(Y_RANGE[0]), int(Y_RANGE[1]) + 1)],
        ).set_stroke(color=theme.grid, width=theme.stroke(1))
        # Tick labels along the plot's bottom and left edges, outside the window: every curve and
        # tangent passes (0, 1) and the tangents cross y = 0 near x = -1, right where labels on the
        # axes would sit.
        labels = VGroup()
        for x in range(int(X_RANGE[0]), int(X_RANGE[1]) + 1):
            labels.add(self.number(x, 0, size=FONT_LABEL, colour=theme.muted).next_to(axes.c2p(x, Y_RANGE[0]), DOWN, buff=0.15))
        for y in range(int(Y_RANGE[0]), int(Y_RANGE[1]) + 1):
            labels.add(self.number(y, 0, size=FONT_LABEL, colour=theme.muted).next_to(axes.c2p(X_RANGE[0], y), LEFT, buff=0.15))
        axes.add_to_back(grid)
        axes.add(labels)
        if stacked:
            axes.move_to([0.15, 0, 0]).align_to([0, height / 2 - MARGIN - HEADER_ROOM, 0], UP)
        else:
            axes.to_edge(LEFT, buff=MARGIN + 0.3)
        return axes, stacked

    def panel_room(self, axes: Axes) -> float:
        """Width left for the text panel right of the plot (side-by-side layouts)."""
        return self.frame_width / 2 - MARGIN - (axes.get_right()[0] + MARGIN * 2)

    def place_panel(self, header: VGroup, axes: Axes, stacked: bool, top: bool) -> None:
        if stacked:
            room = self.frame_width - 2 * MARGIN
            if header.width > room:
                header.scale_to_fit_width(room)
            header.to_edge(UP, buff=MARGIN).set_x(0)
        else:
            header.next_to(axes, RIGHT, buff=MARGIN * 2).align_to(axes, UP)
            room = self.frame_width / 2 - MARGIN - header.get_left()[0]
            if header.width > room:
                header.scale_to_fit_width(room).next_to(axes, RIGHT, buff=MARGIN * 2).align_to(axes, UP)


ORIGIN_POINT = np.array([0.0, 0.0, 0.0])
#: Ghosts of earlier curves are faded to this opacity, or less faded where the theme needs it for 3:1.
GHOST_OPACITY = 0.45


def ghost_opacity(colour: str, background: str) -> float:
    """The faintest opacity from GHOST_OPACITY up at which ``colour`` over ``background`` still has
    line contrast (3:1), so the ghosts read as faded yet visible."""
    for opacity in np.arange(GHOST_OPACITY, 1.0, 0.05):
        if contrast_ratio(blend(colour, background, float(opacity)), background) >= LINE_MIN_CONTRAST:
            return float(opacity)
    return 1.0
