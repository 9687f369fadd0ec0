"""secant-to-tangent: secants through (a, f(a)) and (a + h, f(a + h)) turn into the tangent as h shrinks,
with the rise-over-run triangle and an inset that magnifies the two points once they merge;
optionally a tail where h keeps shrinking in float64 and the quotient breaks down.
At a corner the secants from both sides settle on two slopes, and the clip says there is no f'(a)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, UR, Create, DashedLine, Dot, FadeIn, FadeOut, Line, Mobject, Rectangle, ValueTracker,
    VGroup, VMobject, Write, smooth,
)

from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.plans.secant_to_tangent import (
    BREAKDOWN_INTRO_SECONDS, BREAKDOWN_ROW_SECONDS, BREAKDOWN_WHY_SECONDS, ENDING_SECONDS, FIRST_SECANT_SECONDS,
    HOLD_SECONDS, INSET_FRACTIONS, INSET_HALF_WIDTH_PER_H, INTRO_SECONDS, LIVE_H_DIGITS, LIVE_SLOPE_DECIMALS,
    TANGENT_SECONDS, SecantToTangentPlan,
)
from calcanim.numerics.tangent_line import line_in_box
from calcanim.scenes.frame_tools import FrameTimed, place_segment, set_polyline
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.style.contrast import faintest_opacity
from calcanim.scenes.graph_axes import curve_with_corners, keep_redrawn, stop_redrawing, window_axes

#: Frames at least this much wider than tall put the readouts beside the graph; squarer ones stack them.
SIDE_BY_SIDE_RATIO = 1.2
#: On-screen run (manim units) below which the triangle's labels no longer fit and the inset takes over.
INSET_APPEARS_BELOW = 0.9
INSET_FULL_BELOW = 0.55

class SecantToTangentScene(FrameTimed, CalcanimScene[SecantToTangentParams, SecantToTangentPlan]):
    """The secant slope (f(a + h) - f(a)) / h approaching f'(a) as h shrinks, then the tangent."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw, fh = self.frame_width, self.frame_height
        mx, my, _ = self.edge
        # a square frame stacks the graph over the readouts and the table: the title gives up some height
        self.square = not self.portrait and fw / fh < SIDE_BY_SIDE_RATIO
        title = self.math(r"\frac{f(a+h)-f(a)}{h}\;\longrightarrow\;f'(a)", size=FONT_BODY if self.square else FONT_TITLE)
        subtitle = self.math(f"f(x) = {pl.function_tex},\\quad a = {pl.a_label}", size=FONT_LABEL, colour=theme.muted)
        for line in (title, subtitle):  # each on its own: a wide title must not shrink the subtitle
            if line.width > fw - 2 * max(mx, MARGIN):
                line.scale_to_fit_width(fw - 2 * max(mx, MARGIN))
        header = VGroup(title, subtitle).arrange(DOWN, buff=0.2 if not self.square else 0.12)
        header.to_edge(UP, buff=max(my, MARGIN) if not self.square else my)

        first = pl.checkpoints[0]
        live, h_parts, slope_values = self.live_readouts(first.h, down=self.portrait or pl.corner is not None)
        table, rows = self.slope_table()
        graph_w, graph_h, graph_centre, panel, panel_w = self.regions(header, live, table)
        axes = window_axes(self, pl.window, graph_w, graph_h, avoid=pl.expression)
        axes.move_to(graph_centre)
        self.axes = axes
        x_min, x_max, y_min, y_max = pl.window
        self.x_unit = graph_w / (x_max - x_min)
        curve = curve_with_corners(
            axes, pl.expression, x_min, x_max, pl.curve_corners, color=theme.curve, stroke_width=theme.stroke(4)
        )
        p_dot = Dot(axes.c2p(p.a, pl.f_a), radius=0.08, color=theme.point).set_z_index(3)

        log_h = ValueTracker(np.log10(p.hs[0]))
        colours = {1: theme.accent, -1: theme.good}
        q_dots = {side: Dot(radius=0.07, color=colours[side]).set_z_index(2) for side in pl.sides}
        secants = {side: Line(ORIGIN3, RIGHT, color=colours[side], stroke_width=theme.stroke(3)) for side in pl.sides}
        runs = {side: Line(ORIGIN3, RIGHT, color=theme.muted, stroke_width=theme.stroke(2.5)) for side in pl.sides}
        rises = {side: Line(ORIGIN3, UP, color=colours[side], stroke_width=theme.stroke(2.5)) for side in pl.sides}
        run_label = self.math("h", size=FONT_LABEL, colour=theme.muted)
        rise_label = self.math("f(a+h)-f(a)", size=FONT_LABEL, colour=theme.accent)
        triangle = VGroup(*runs.values(), *rises.values())

        inset = Inset(self, axes, graph_w, graph_h, colours, curve)

        def place_triangle(h: float) -> None:
            for side in pl.sides:
                (px, py), (rx, ry), (qx, qy) = pl.triangle(h, side)
                place_segment(runs[side], axes.c2p(px, py), axes.c2p(rx, ry))
                place_segment(rises[side], axes.c2p(rx, ry), axes.c2p(qx, qy))
            (px, py), (rx, ry), (qx, qy) = pl.triangle(h, 1)
            run_label.next_to(axes.c2p((px + rx) / 2, py), DOWN if qy >= py else UP, buff=0.12)
            rise_label.next_to(axes.c2p(rx, (ry + qy) / 2), RIGHT, buff=0.12)
            outside = rise_label.get_right()[0] > min(self.frame_width / 2 - MARGIN, axes.x_axis.get_right()[0] + 0.1)
            run_on_screen = h * self.x_unit
            fits = run_on_screen > max(run_label.width, 0.3) * 2.2
            rise_fits = abs(axes.c2p(0, qy)[1] - axes.c2p(0, ry)[1]) > rise_label.height * 1.3
            show_label(run_label, fits)
            show_label(rise_label, fits and rise_fits and not outside)
            inset.show(h, float(np.clip((INSET_APPEARS_BELOW - run_on_screen) / (INSET_APPEARS_BELOW - INSET_FULL_BELOW), 0, 1)))

        def follow(_: Mobject) -> None:
            h = pl.h_at(log_h.get_value())
            for side in pl.sides:
                q_dots[side].move_to(axes.c2p(*pl.live_point(h, side)))
                place_segment(secants[side], *self.ends(pl.secant_through(h, side)))
                slope_values[side].set_value(pl.live_slope_shown(h, side))
            mantissa, power = pl.live_h_shown(h)
            h_parts[0].set_value(mantissa)
            h_parts[1].set_value(power)
            place_triangle(h)

        follow(p_dot)
        self.caption(
            f"Take f(x) = {p.function} and the point a = {pl.a_label}, where f(a) = {pl.f_a_label}.",
            INTRO_SECONDS,
        )
        self.timed_play(INTRO_SECONDS * 0.5, Write(header), Create(axes))
        self.timed_play(INTRO_SECONDS * 0.5, Create(curve), FadeIn(p_dot))

        if pl.corner is None:
            words = f"The secant through a and a + h has slope rise over run: at h = {first.h:g} it is {first.label}."
        else:
            words = (
                f"Secants through a and a + h, and through a and a - h: at h = {first.h:g} their slopes are "
                f"{first.label} and {first.left_label}."
            )
        self.caption(words, FIRST_SECANT_SECONDS + HOLD_SECONDS)
        self.timed_play(
            FIRST_SECANT_SECONDS,
            *[Create(s) for s in secants.values()],
            *[FadeIn(d) for d in q_dots.values()],
            FadeIn(triangle),
            FadeIn(run_label),
            FadeIn(rise_label),
            FadeIn(live),
            FadeIn(table[0]),
        )
        self.add(inset.group)
        self.timed_play(HOLD_SECONDS, FadeIn(rows[0]))

        p_dot.add_updater(follow)
        keep_redrawn(*secants.values(), *q_dots.values(), live, triangle, run_label, rise_label, inset.group)
        later = pl.checkpoints[1:]
        if later:
            if pl.corner is None:
                words = f"Shrink h: the second point slides toward the first and the slope settles near {pl.derivative_label}."
            else:
                words = (
                    f"Shrink h: from the right the slopes stay at {pl.corner.right:g}, "
                    f"from the left at {pl.corner.left:g}. They never meet."
                )
            self.caption(words, len(later) * (p.seconds_per_h + HOLD_SECONDS))
        for row, checkpoint in zip(rows[1:], later, strict=True):
            self.timed_play(p.seconds_per_h, log_h.animate.set_value(np.log10(checkpoint.h)), rate_func=smooth)
            self.timed_play(HOLD_SECONDS, FadeIn(row))
        p_dot.remove_updater(follow)
        stop_redrawing(*secants.values(), *q_dots.values(), live, triangle, run_label, rise_label, inset.group)

        limit, verdict = self.limit_and_verdict(table, panel_w)
        if self.square:  # no room under the table: the verdict takes the live readouts' place (the table keeps their values)
            verdict.move_to(live)
        # faded, the secants still stand out from the background (3:1, the audit's line contrast)
        fades = [s.animate.set_stroke(opacity=faintest_opacity(colours[side], theme.background, 0.35))
                 for side, s in secants.items()]
        if self.square:
            fades.append(FadeOut(live))
        if pl.corner is None:
            self.caption(
                "In the limit h -> 0 the secant becomes the tangent, and its slope is the derivative: "
                f"f'({pl.a_label}) {'=' if pl.derivative_is_shown_exactly else 'is about'} {pl.derivative_label}.",
                TANGENT_SECONDS,
            )
        else:
            self.caption(
                f"Two different one-sided slopes, {pl.corner.left:g} and {pl.corner.right:g}: "
                f"no single line touches the corner, so f'({pl.a_label}) does not exist.",
                TANGENT_SECONDS,
            )
        self.timed_play(TANGENT_SECONDS * 0.6, *[Create(line) for line in limit], *fades, FadeIn(verdict))
        self.timed_wait(TANGENT_SECONDS * 0.4)

        if pl.has_breakdown:
            old = VGroup(axes, curve, p_dot, *q_dots.values(), *secants.values(), triangle, run_label, rise_label)
            self.float_breakdown(VGroup(old, inset.group, limit, panel, verdict), header)

        if pl.corner is None:
            words = f"The derivative at a is the limit of the secant slopes: here {pl.derivative_label}."
        else:
            words = "At a corner the secant slopes have two limits, one per side, and there is no derivative."
        self.caption(words, ENDING_SECONDS)
        self.timed_wait(ENDING_SECONDS)

    # Readouts and table -------------------------------------------------------------------------

    def live_readouts(self, h: float, down: bool) -> tuple[VGroup, tuple[Mobject, Mobject], dict[int, Mobject]]:
        """h ~ m * 10^k and the secant slope(s), each rounded once from the true value (hence \\approx).

        They come back showing the widest values they will take; follow() sets the real ones after layout.
        """
        theme, pl = self.theme, self.plan
        mantissa, _ = pl.live_h_shown(h)
        # laid out with the widest text each readout will show, so later values never reach past the margin
        widest_power = min(pl.live_h_shown(c.h)[1] for c in pl.checkpoints)
        h_mantissa = self.number(mantissa, LIVE_H_DIGITS - 1, size=FONT_BODY, colour=theme.muted)
        h_power = self.number(min(widest_power, -1), 0, size=FONT_LABEL, colour=theme.muted)
        times_ten = self.math(r"{}\cdot 10", size=FONT_BODY, colour=theme.muted)  # {}: a binary dot, spaced as in TeX
        h_row = VGroup(self.math(r"h \approx", size=FONT_BODY), h_mantissa, times_ten).arrange(RIGHT, buff=0.12)
        glyphs = times_ten[0]  # the dot, "1", "0": as much space before the dot as TeX leaves after it
        times_ten.next_to(h_mantissa, RIGHT, buff=glyphs[1].get_left()[0] - glyphs[0].get_right()[0])
        h_power.next_to(times_ten, UR, buff=0.03).shift(DOWN * 0.12)
        h_group = VGroup(h_row, h_power)
        slope_values = {}
        rows = [h_group]
        names = {1: r"\text{slope} \approx"} if pl.corner is None else {1: r"\text{right} \approx", -1: r"\text{left} \approx"}
        colours = {1: theme.accent, -1: theme.good}
        for side in pl.sides:
            value = self.number(self.widest_slope(side), LIVE_SLOPE_DECIMALS, size=FONT_BODY, colour=colours[side])
            slope_values[side] = value
            rows.append(VGroup(self.math(names[side], size=FONT_BODY), value).arrange(RIGHT, buff=0.15))
        live = VGroup(*rows).arrange(RIGHT, buff=0.6, aligned_edge=DOWN)
        if down:
            live.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
        return live, (h_mantissa, h_power), slope_values  # still showing the widest values: lay out, then set

    def widest_slope(self, side: int) -> float:
        """A number as wide as any slope this readout shows: the sign and integer digits of the widest."""
        slopes = [self.plan.live_slope_shown(c.h, side) for c in self.plan.checkpoints]
        digits = max(len(str(int(abs(v)))) for v in slopes)
        magnitude = 10**digits - 1 + 0.8888
        return -magnitude if min(slopes) < 0 else magnitude

    def slope_table(self) -> tuple[VGroup, list[VGroup]]:
        """Header plus one row per h: h and the exact secant slope(s), rounded once; float64's beside them."""
        theme, pl = self.theme, self.plan
        if pl.corner is None:
            names = [r"h", r"\text{exact slope}", r"\text{float64}"]
        else:
            names = [r"h", r"\text{from the right}", r"\text{from the left}"]
        cells = [self.math(name, size=FONT_LABEL, colour=theme.muted) for name in names]
        for c in pl.checkpoints:
            third = c.float64_label if pl.corner is None else c.left_label
            cells += [
                self.math(c.h_tex, size=FONT_LABEL),
                self.math(c.label, size=FONT_LABEL, colour=theme.accent if pl.corner is not None else theme.text),
                self.math(third or "", size=FONT_LABEL, colour=theme.good if pl.corner is not None else theme.text),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.checkpoints) + 1, cols=3, buff=(0.55, 0.22))
        header = VGroup(*cells[:3])
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.checkpoints))]
        return VGroup(header, *rows), rows

    def limit_and_verdict(self, table: Mobject, panel_w: float) -> tuple[VGroup, Mobject]:
        """The tangent and f'(a) = ..., or at a corner the two one-sided lines and "f'(a) does not exist"."""
        theme, pl, axes = self.theme, self.plan, self.axes
        if pl.corner is None:
            tangent = Line(*self.ends(pl.tangent_segment()), color=theme.reference, stroke_width=theme.stroke(5))
            relation = "=" if pl.derivative_is_shown_exactly else r"\approx"
            verdict: Mobject = self.math(f"f'({pl.a_label}) {relation} {pl.derivative_label}", size=FONT_TITLE, colour=theme.reference)
            lines = VGroup(tangent)
        else:
            lines = VGroup(
                *[
                    DashedLine(axes.c2p(*start), axes.c2p(*end), color=theme.reference, stroke_width=theme.stroke(4))
                    for start, end in pl.one_sided_rays()
                ]
            )
            verdict = VGroup(
                self.math(f"f'({pl.a_label})\\ \\text{{does not exist}}", size=FONT_BODY, colour=theme.reference),
                self.math(
                    f"\\text{{slopes}}\\ {pl.corner_slope_tex('left')}\\ \\text{{(left)}},\\ "
                    f"{pl.corner_slope_tex('right')}\\ \\text{{(right)}}",
                    size=FONT_LABEL,
                    colour=theme.reference,
                ),
            ).arrange(DOWN, buff=0.15)
        if verdict.width > panel_w:
            verdict.scale_to_fit_width(panel_w)
        verdict.next_to(table, DOWN, buff=0.4)
        right_limit = self.frame_width / 2 - MARGIN  # centred under a narrower table it may reach past the margin
        verdict.shift(LEFT * max(0.0, verdict.get_right()[0] - right_limit))
        return lines, verdict

    # Layout -------------------------------------------------------------------------------------

    def regions(self, header: Mobject, live: VGroup, table: VGroup) -> tuple[float, float, np.ndarray, VGroup, float]:
        """Graph size and centre, and the panel (live readouts over the table) placed, with its width.

        Wide frames put the panel beside the graph at its full size (the graph takes what is left, the
        live readouts stacking when that gains room); portrait and square frames stack graph and panel."""
        fw, fh = self.frame_width, self.frame_height
        mx, my, _ = self.edge
        left_edge, right_edge = -fw / 2 + max(mx, MARGIN), fw / 2 - max(mx, MARGIN)
        top = header.get_bottom()[1] - 0.35
        bottom = -fh / 2 + max(my, MARGIN) + 0.35
        panel = VGroup(live, table)
        if not self.portrait and not self.square:
            for down in (False, True):
                if down:
                    live.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
                panel.arrange(DOWN, buff=0.45)
                graph_w = min(fw * 0.52, right_edge - left_edge - 0.9 - 0.5 - panel.width)
                if graph_w >= fw * 0.4:
                    break
            graph_h = top - bottom - 0.3
            graph_centre = np.array([left_edge + 0.9 + graph_w / 2, (top + bottom) / 2 + 0.15, 0.0])
            panel_left = graph_centre[0] + graph_w / 2 + 0.5
            panel_w = right_edge - panel_left
            if panel.width > panel_w:  # only with a very long function or window: never below the legible size
                panel.scale_to_fit_width(panel_w)
            panel.move_to([panel_left + panel_w / 2, (top + bottom) / 2, 0.0])
            return graph_w, graph_h, graph_centre, panel, panel_w
        panel_w = right_edge - left_edge
        graph_w = panel_w - 0.9
        panel.arrange(DOWN, buff=0.45 if not self.square else 0.3)
        if panel.width > panel_w:
            panel.scale_to_fit_width(panel_w)
        if self.portrait:
            graph_h = (top - bottom) * 0.5
            graph_centre = np.array([0.3, top - graph_h / 2 - 0.1, 0.0])
            panel.move_to([0.0, (top - graph_h - 0.5 + bottom) / 2, 0.0])
            return graph_w, graph_h, graph_centre, panel, panel_w
        panel.move_to([0.0, 0.0, 0.0]).to_edge(DOWN, buff=my)
        graph_bottom = panel.get_top()[1] + 0.3 + 0.4  # the x axis' numbers sit under the graph
        graph_h = top - graph_bottom
        return graph_w, graph_h, np.array([0.3, (top + graph_bottom) / 2, 0.0]), panel, panel_w

    def ends(self, segment: tuple[tuple[float, float], tuple[float, float]] | None) -> tuple[np.ndarray, np.ndarray]:
        if segment is None:  # cannot happen: the line passes through (a, f(a)), inside the window
            raise ValueError("line outside the plot window")
        (x0, y0), (x1, y1) = segment
        return self.axes.c2p(x0, y0), self.axes.c2p(x1, y1)

    # The float64 tail --------------------------------------------------------------------------

    def float_breakdown(self, old: VGroup, header: Mobject) -> None:
        theme, pl = self.theme, self.plan
        fw = self.frame_width
        cells = [
            self.math("h", size=FONT_LABEL, colour=theme.muted),
            self.math(r"\text{float64 quotient}", size=FONT_LABEL, colour=theme.muted),
            self.math(r"\text{float64} - \text{exact}", size=FONT_LABEL, colour=theme.muted),
        ]
        for row in pl.breakdown:
            colour = theme.good if row.good else theme.bad
            cells += [
                self.math(row.h_tex, size=FONT_LABEL),
                self.math(row.float64_label, size=FONT_LABEL, colour=colour),
                self.math(row.rounding_error_tex, size=FONT_LABEL, colour=colour),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.breakdown) + 1, cols=3, buff=(0.5, 0.2), col_alignments="rrr")
        table_header = VGroup(*cells[:3])
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.breakdown))]
        table = VGroup(table_header, *rows)
        reason = VGroup(*[self.math(line, size=FONT_LABEL) for line in pl.breakdown_reason_tex]).arrange(
            DOWN, aligned_edge=LEFT, buff=0.14
        )
        top = header.get_bottom()[1] - 0.4
        if self.portrait or fw / self.frame_height < 1.2:
            block = VGroup(table, reason).arrange(DOWN, buff=0.5)
        else:
            block = VGroup(table, reason).arrange(RIGHT, buff=0.7, aligned_edge=UP)
        if block.width > fw - 2 * MARGIN:
            block.scale_to_fit_width(fw - 2 * MARGIN)
        room = top - (-self.frame_height / 2 + MARGIN)
        if block.height > room:
            block.scale_to_fit_height(room)
        block.next_to([0, top, 0], DOWN, buff=0)
        block.set_x(0)
        lost = [row for row in pl.breakdown if row.a_plus_h_equals_a]
        self.caption(
            f"Now keep shrinking h in float64, down to {pl.breakdown[-1].h:g}, and watch the quotient.",
            BREAKDOWN_INTRO_SECONDS,
        )
        self.timed_play(BREAKDOWN_INTRO_SECONDS, FadeOut(old), FadeIn(table_header))
        self.caption(
            "At first it improves; below about h = 10^-8 it drifts away from "
            f"{pl.derivative_label}" + (", and finally it is exactly 0." if lost else "."),
            BREAKDOWN_ROW_SECONDS * len(rows),
        )
        for row in rows:
            self.timed_play(BREAKDOWN_ROW_SECONDS, FadeIn(row))
        self.caption(" ".join(pl.breakdown_reason), BREAKDOWN_WHY_SECONDS)
        self.timed_play(1.0, FadeIn(reason))
        self.timed_wait(BREAKDOWN_WHY_SECONDS - 1.0)


ORIGIN3 = np.zeros(3)


def show_label(label: Mobject, visible: bool) -> None:
    """Show or hide a label, restyling only when that changes (set_opacity walks the whole family)."""
    if getattr(label, "_calcanim_visible", True) != visible:
        label.set_opacity(1.0 if visible else 0.0)
        label._calcanim_visible = visible


class Inset:
    """A square in the emptiest corner of the plot showing the curve, the secant(s) and the triangle
    around (a, f(a)) magnified so the run always spans the same width: the two points stay apart
    while h shrinks, the curve straightens. Both axes are magnified by the same factor, so slopes
    look as they do in the main plot."""

    def __init__(
        self, scene: SecantToTangentScene, axes: Mobject, graph_w: float, graph_h: float, colours: dict[int, str], curve: Mobject
    ) -> None:
        theme, pl = scene.theme, scene.plan
        self.plan = pl
        x_min, x_max, y_min, y_max = pl.window
        # data units of y per data unit of x in the main plot's proportions, kept in the inset
        self.y_per_x = ((y_max - y_min) / graph_h) / ((x_max - x_min) / graph_w)
        self.side, centre = _inset_place(scene, axes, min(graph_w, graph_h), curve)
        frame = Rectangle(width=self.side, height=self.side, color=theme.axis, stroke_width=theme.stroke(2))
        frame.set_fill(theme.background, opacity=1.0)
        frame.move_to(centre)
        self.centre = frame.get_center()
        corner = np.sign(self.centre - axes.c2p((x_min + x_max) / 2, (y_min + y_max) / 2))
        self.curve = VMobject(color=theme.curve, stroke_width=theme.stroke(3))
        self.secants = {side: Line(ORIGIN3, RIGHT, color=colours[side], stroke_width=theme.stroke(2.5)) for side in pl.sides}
        self.runs = {side: Line(ORIGIN3, RIGHT, color=theme.muted, stroke_width=theme.stroke(2)) for side in pl.sides}
        self.rises = {side: Line(ORIGIN3, UP, color=colours[side], stroke_width=theme.stroke(2)) for side in pl.sides}
        self.p_dot = Dot(self.centre, radius=0.06, color=theme.point)
        self.q_dots = {side: Dot(radius=0.05, color=colours[side]) for side in pl.sides}
        self.label = scene.math(r"\text{magnified}", size=FONT_LABEL, colour=theme.muted)
        self.label.next_to(frame, DOWN if corner[1] > 0 else UP, buff=0.08)
        self.run_label = scene.math("h", size=FONT_LABEL, colour=theme.muted)
        parts = [*self.runs.values(), *self.rises.values(), *self.secants.values(), self.curve, self.p_dot, *self.q_dots.values()]
        self.group = VGroup(frame, *parts, self.run_label, self.label).set_z_index(5)
        # each part's own fill and stroke opacity, scaled together when the inset fades in
        self.base = [(m, m.get_fill_opacity(), m.get_stroke_opacity()) for m in self.group.get_family()]
        self.opacity = 1.0
        self.fade(0.0)

    def fade(self, opacity: float) -> None:
        if opacity == self.opacity:
            return
        for mobject, fill, stroke in self.base:
            mobject.set_fill(opacity=fill * opacity, family=False)
            mobject.set_stroke(opacity=stroke * opacity, family=False)
        self.opacity = opacity

    def to_screen(self, u: np.ndarray, g: np.ndarray, half: float) -> np.ndarray:
        scale = (self.side / 2) / half
        return np.column_stack([self.centre[0] + u * scale, self.centre[1] + g * scale / self.y_per_x, np.zeros_like(u)])

    def show(self, h: float, opacity: float) -> None:
        pl = self.plan
        if opacity <= 0.0:
            self.fade(0.0)
            return
        rises = {side: pl.rise(h, side) for side in pl.sides}
        # wide enough for the run and tall enough for the rise: a steep secant keeps its second point in view
        half = max(INSET_HALF_WIDTH_PER_H * h, *(1.25 * abs(g) / self.y_per_x for g in rises.values()))
        box = (-half, half, -half * self.y_per_x, half * self.y_per_x)
        local = pl.local_curve(h, half=half)
        inside = (np.abs(local[:, 1]) <= box[3]) & np.isfinite(local[:, 1])
        pieces = _runs_of(local, inside)
        set_polyline(self.curve, pieces, lambda part: self.to_screen(part[:, 0], part[:, 1], half))
        for side in pl.sides:
            u, g = side * h, rises[side]
            slope = g / u
            segment = line_in_box(0.0, 0.0, slope, box)
            if segment is not None:
                (u0, g0), (u1, g1) = segment
                ends = self.to_screen(np.array([u0, u1]), np.array([g0, g1]), half)
                place_segment(self.secants[side], ends[0], ends[1])
            r, q = self.to_screen(np.array([u, u]), np.array([0.0, g]), half)
            place_segment(self.runs[side], self.centre, r)
            place_segment(self.rises[side], r, q)
            self.q_dots[side].move_to(q)
        r_right = self.to_screen(np.array([h]), np.array([0.0]), half)[0]
        self.run_label.next_to((self.centre + r_right) / 2, DOWN, buff=0.06)
        self.p_dot.move_to(self.centre)
        self.fade(opacity)


def _inset_place(scene: SecantToTangentScene, axes: Mobject, short: float, curve: Mobject) -> tuple[float, np.ndarray]:
    """(side, centre) of the inset: the largest square in a plot corner that no curve, secant, tangent,
    axis or tick label crosses, with room for its caption; else the least crowded smallest one."""
    pl = scene.plan
    x_min, x_max, y_min, y_max = pl.window
    obstacles = [curve.points[:, :2]]
    for (x0, y0), (x1, y1) in pl.all_lines():
        ts = np.linspace(0.0, 1.0, 200)
        obstacles.append(np.array([axes.c2p(x0 + t * (x1 - x0), y0 + t * (y1 - y0))[:2] for t in ts]))
    for line in (axes.x_axis, axes.y_axis):
        start, end = line.get_start()[:2], line.get_end()[:2]
        obstacles.append(start + np.outer(np.linspace(0, 1, 200), end - start))
    cloud = np.concatenate(obstacles)
    labels = [m for m in axes.submobjects if m not in (axes.x_axis, axes.y_axis)]
    caption_room = 0.45
    best: tuple[int, float, np.ndarray] | None = None
    for fraction in INSET_FRACTIONS:
        side = fraction * short
        for cx, cy in ((-1, 1), (1, 1), (-1, -1), (1, -1)):
            anchor = axes.c2p(x_max if cx > 0 else x_min, y_max if cy > 0 else y_min)
            centre = anchor - np.array([cx, cy, 0.0]) * (side / 2 + 0.12)
            low = centre[:2] - side / 2 - np.array([0.08, 0.08 + (caption_room if cy > 0 else 0.0)])
            high = centre[:2] + side / 2 + np.array([0.08, 0.08 + (caption_room if cy < 0 else 0.0)])
            hits = int(np.count_nonzero(np.all((cloud >= low) & (cloud <= high), axis=1)))
            for label in labels:
                if np.all(label.get_corner(DOWN + LEFT)[:2] <= high) and np.all(label.get_corner(UP + RIGHT)[:2] >= low):
                    hits += 50
            if hits == 0:
                return side, centre
            if best is None or hits < best[0]:
                best = (hits, side, centre)
    assert best is not None
    return best[1], best[2]


def _runs_of(points: np.ndarray, keep: np.ndarray) -> Sequence[np.ndarray]:
    """The stretches of consecutive kept points (at least two each), as separate polylines."""
    pieces, start = [], None
    for i, flag in enumerate([*keep, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= 2:
                pieces.append(points[start:i])
            start = None
    return pieces
