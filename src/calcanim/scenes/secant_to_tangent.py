"""secant-to-tangent: secants through (a, f(a)) and (a + h, f(a + h)) turn into the tangent as h shrinks;
optionally a tail where h keeps shrinking in float64 and the quotient breaks down."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UL,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    ValueTracker,
    VGroup,
    Write,
    smooth,
)

from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.plans.secant_to_tangent import (
    BREAKDOWN_INTRO_SECONDS,
    BREAKDOWN_ROW_SECONDS,
    BREAKDOWN_WHY_SECONDS,
    ENDING_SECONDS,
    FIRST_SECANT_SECONDS,
    HOLD_SECONDS,
    INTRO_SECONDS,
    TANGENT_SECONDS,
    SecantToTangentPlan,
    h_tex,
)
from calcanim.scenes.frame_tools import FrameTimed, place_segment
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing, window_axes


class SecantToTangentScene(FrameTimed, CalcanimScene[SecantToTangentParams, SecantToTangentPlan]):
    """The secant slope (f(a + h) - f(a)) / h approaching f'(a) as h shrinks, then the tangent."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        title = self.math(r"\frac{f(a+h)-f(a)}{h}\;\longrightarrow\;f'(a)", size=FONT_TITLE)
        subtitle = self.math(f"f(x) = {pl.function_tex},\\quad a = {pl.a_label}", size=FONT_LABEL, colour=theme.muted)
        header = VGroup(title, subtitle).arrange(DOWN, buff=0.2)
        header.to_edge(UP, buff=MARGIN)
        if header.width > self.frame_width - 2 * MARGIN:
            header.scale_to_fit_width(self.frame_width - 2 * MARGIN)

        graph_w, graph_h, graph_centre, panel_centre, panel_w = self.regions(header)
        axes = window_axes(self, pl.window, graph_w, graph_h)
        axes.move_to(graph_centre)
        curve = axes.plot(pl.expression, x_range=pl.window[:2], color=theme.curve, stroke_width=theme.stroke(4))
        p_dot = Dot(axes.c2p(p.a, pl.f_a), radius=0.08, color=theme.point).set_z_index(3)
        p_label = self.math(f"({pl.a_label},\\,{pl.f_a_label})", size=FONT_SMALL, colour=theme.point)
        p_label.next_to(p_dot, UL, buff=0.1).set_z_index(3)

        log_h = ValueTracker(np.log10(p.hs[0]))
        first = pl.checkpoints[0]
        q_dot = Dot(axes.c2p(*first.q), radius=0.07, color=theme.accent).set_z_index(2)
        secant = Line(*self.ends(axes, pl.secant_through(first.h)), color=theme.accent, stroke_width=theme.stroke(3))

        h_value = self.number(first.h, 4, size=FONT_BODY, colour=theme.accent)
        slope_value = self.number(pl.live_slope(first.h), 4, size=FONT_BODY, colour=theme.accent)
        live = VGroup(
            VGroup(self.math("h =", size=FONT_BODY), h_value).arrange(RIGHT, buff=0.15),
            VGroup(self.math(r"\text{slope} =", size=FONT_BODY), slope_value).arrange(RIGHT, buff=0.15),
        ).arrange(RIGHT, buff=0.6)
        table, rows = self.slope_table()
        panel = VGroup(live, table).arrange(DOWN, buff=0.45)
        if panel.width > panel_w:
            panel.scale_to_fit_width(panel_w)
        panel.move_to(panel_centre)

        def follow(_: Mobject) -> None:
            h = pl.h_at(log_h.get_value())
            q_dot.move_to(axes.c2p(*pl.live_point(h)))
            place_segment(secant, *self.ends(axes, pl.secant_through(h)))
            h_value.set_value(h)
            slope_value.set_value(pl.live_slope(h))

        self.caption(
            f"Take f(x) = {p.function} and the point a = {pl.a_label}, where f(a) = {pl.f_a_label}.",
            INTRO_SECONDS,
        )
        self.timed_play(INTRO_SECONDS * 0.5, Write(header), Create(axes))
        self.timed_play(INTRO_SECONDS * 0.5, Create(curve), FadeIn(p_dot), FadeIn(p_label))

        self.caption(
            f"The secant through a and a + h has slope rise over run: at h = {first.h:g} it is {first.label}.",
            FIRST_SECANT_SECONDS + HOLD_SECONDS,
        )
        self.timed_play(FIRST_SECANT_SECONDS, Create(secant), FadeIn(q_dot), FadeIn(live), FadeIn(table[0]))
        self.timed_play(HOLD_SECONDS, FadeIn(rows[0]))

        q_dot.add_updater(follow)
        keep_redrawn(secant, live)
        later = pl.checkpoints[1:]
        if later:
            self.caption(
                "Shrink h: the second point slides toward the first and the slope settles "
                f"near {pl.derivative_label}.",
                len(later) * (p.seconds_per_h + HOLD_SECONDS),
            )
        for row, checkpoint in zip(rows[1:], later, strict=True):
            self.timed_play(p.seconds_per_h, log_h.animate.set_value(np.log10(checkpoint.h)), rate_func=smooth)
            self.timed_play(HOLD_SECONDS, FadeIn(row))
        q_dot.remove_updater(follow)
        stop_redrawing(secant, live)

        tangent = Line(*self.ends(axes, pl.tangent_segment()), color=theme.reference, stroke_width=theme.stroke(5))
        verdict = self.math(f"f'({pl.a_label}) = {pl.derivative_label}", size=FONT_TITLE, colour=theme.reference)
        verdict.next_to(table, DOWN, buff=0.4)
        if verdict.width > panel_w:
            verdict.scale_to_fit_width(panel_w)
        self.caption(
            f"In the limit h -> 0 the secant becomes the tangent, and its slope is the derivative: "
            f"f'({pl.a_label}) = {pl.derivative_label}.",
            TANGENT_SECONDS,
        )
        self.timed_play(TANGENT_SECONDS * 0.6, Create(tangent), secant.animate.set_stroke(opacity=0.35), FadeIn(verdict))
        self.timed_wait(TANGENT_SECONDS * 0.4)

        if pl.has_breakdown:
            self.float_breakdown(VGroup(axes, curve, p_dot, p_label, q_dot, secant, tangent, panel, verdict), header)

        self.caption(
            f"The derivative at a is the limit of the secant slopes: here {pl.derivative_label}.", ENDING_SECONDS
        )
        self.timed_wait(ENDING_SECONDS)

    # Layout -------------------------------------------------------------------------------------

    def regions(self, header: Mobject) -> tuple[float, float, np.ndarray, np.ndarray, float]:
        """Graph size and centre, panel centre and width, from the frame's shape."""
        fw, fh = self.frame_width, self.frame_height
        top = header.get_bottom()[1] - 0.35
        bottom = -fh / 2 + MARGIN + 0.35
        if self.portrait or fw / fh < 1.2:
            graph_h = (top - bottom) * 0.5
            graph_w = fw - 2 * MARGIN - 0.9
            graph_centre = np.array([0.3, top - graph_h / 2 - 0.1, 0.0])
            panel_centre = np.array([0.0, (top - graph_h - 0.5 + bottom) / 2, 0.0])
            return graph_w, graph_h, graph_centre, panel_centre, fw - 2 * MARGIN
        graph_w = fw * 0.52
        graph_h = top - bottom - 0.3
        graph_centre = np.array([-fw / 2 + MARGIN + 0.9 + graph_w / 2, (top + bottom) / 2 + 0.15, 0.0])
        panel_left = graph_centre[0] + graph_w / 2 + 0.5
        panel_w = fw / 2 - MARGIN - panel_left
        return graph_w, graph_h, graph_centre, np.array([panel_left + panel_w / 2, (top + bottom) / 2, 0.0]), panel_w

    @staticmethod
    def ends(axes: Mobject, segment: tuple[tuple[float, float], tuple[float, float]] | None) -> tuple[np.ndarray, np.ndarray]:
        if segment is None:  # cannot happen: the line passes through (a, f(a)), inside the window
            raise ValueError("line outside the plot window")
        (x0, y0), (x1, y1) = segment
        return axes.c2p(x0, y0), axes.c2p(x1, y1)

    def slope_table(self) -> tuple[VGroup, list[VGroup]]:
        """Header plus one row per h: h, exact secant slope, float64 secant slope."""
        theme, pl = self.theme, self.plan
        cells = [
            self.math("h", size=FONT_LABEL, colour=theme.muted),
            self.math(r"\text{exact slope}", size=FONT_LABEL, colour=theme.muted),
            self.math(r"\text{float64}", size=FONT_LABEL, colour=theme.muted),
        ]
        for c in pl.checkpoints:
            cells += [
                self.math(h_tex(c.h), size=FONT_BODY),
                self.math(c.label, size=FONT_BODY),
                self.math(c.float64_label, size=FONT_BODY),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.checkpoints) + 1, cols=3, buff=(0.55, 0.22))
        header = VGroup(*cells[:3])
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.checkpoints))]
        return VGroup(header, *rows), rows

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
                self.math(h_tex(row.h), size=FONT_BODY),
                self.math(row.float64_label, size=FONT_BODY, colour=colour),
                self.math(row.rounding_error_tex, size=FONT_BODY, colour=colour),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.breakdown) + 1, cols=3, buff=(0.5, 0.2), col_alignments="rrr")
        table_header = VGroup(*cells[:3])
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.breakdown))]
        table = VGroup(table_header, *rows)
        reason = VGroup(*[self.text(line, size=FONT_LABEL) for line in pl.breakdown_reason]).arrange(
            DOWN, aligned_edge=LEFT, buff=0.14
        )
        top = header.get_bottom()[1] - 0.4
        if self.portrait or fw / self.frame_height < 1.2:
            block = VGroup(table, reason).arrange(DOWN, buff=0.5)
            if block.width > fw - 2 * MARGIN:
                block.scale_to_fit_width(fw - 2 * MARGIN)
        else:
            block = VGroup(table, reason).arrange(RIGHT, buff=0.7, aligned_edge=UP)
            if block.width > fw - 2 * MARGIN:
                block.scale_to_fit_width(fw - 2 * MARGIN)
        block.next_to([0, top, 0], DOWN, buff=0)
        block.set_x(0)
        lost = [row for row in pl.breakdown if row.a_plus_h_equals_a]
        self.caption(
            f"Now keep shrinking h in float64, down to {pl.breakdown[-1].h:g}, and watch the quotient.",
            BREAKDOWN_INTRO_SECONDS,
        )
        self.timed_play(BREAKDOWN_INTRO_SECONDS, FadeOut(old), FadeIn(table_header))
        self.caption(
            "At first it improves; below about 1e-8 it drifts away from "
            f"{pl.derivative_label}" + (", and finally it is exactly 0." if lost else "."),
            BREAKDOWN_ROW_SECONDS * len(rows),
        )
        for row in rows:
            self.timed_play(BREAKDOWN_ROW_SECONDS, FadeIn(row))
        self.caption(" ".join(pl.breakdown_reason), BREAKDOWN_WHY_SECONDS)
        self.timed_play(1.0, FadeIn(reason))
        self.timed_wait(BREAKDOWN_WHY_SECONDS - 1.0)
