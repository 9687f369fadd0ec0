"""tangent-slide: a point rides along f carrying its tangent line (and optionally the quadratic approximation)."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, Dot, FadeIn, Line, Mobject, ValueTracker, VGroup, VMobject, Write, linear

from calcanim.numerics.tangent_line import TangentLine
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.plans.tangent_slide import ENDING_SECONDS, INTRO_SECONDS, TangentSlidePlan
from calcanim.scenes.frame_tools import FrameTimed, place_segment
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, MARGIN, CalcanimScene
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing, window_axes


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
                self.math(
                    r"\text{quadratic: tangent} + \tfrac12 f''(x_0)(x - x_0)^2",
                    size=FONT_LABEL,
                    colour=theme.accent,
                )
            )
        header = VGroup(*lines).arrange(DOWN, buff=0.15)
        if header.width > fw - 2 * MARGIN:
            header.scale_to_fit_width(fw - 2 * MARGIN)

        progress = ValueTracker(0.0)
        tangent = pl.tangent_at(pl.x_at(0.0))
        x_value = self.number(tangent.x0, 2, size=FONT_BODY, colour=theme.point)
        slope_value = self.number(tangent.slope, 2, size=FONT_BODY, colour=theme.reference)
        readouts = VGroup(
            VGroup(self.math("x_0 =", size=FONT_BODY), x_value).arrange(RIGHT, buff=0.15),
            VGroup(self.math("f'(x_0) =", size=FONT_BODY), slope_value).arrange(RIGHT, buff=0.15),
        )
        if self.portrait:
            readouts.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            header.to_edge(UP, buff=MARGIN + 0.3)
            readouts.next_to(header, DOWN, buff=0.4)
            top = readouts.get_bottom()[1] - 0.4
        else:
            readouts.arrange(RIGHT, buff=0.7)
            header.to_edge(UP, buff=MARGIN)
            readouts.next_to(header, DOWN, buff=0.3)
            top = readouts.get_bottom()[1] - 0.3
        bottom = -fh / 2 + MARGIN + 0.4
        width = fw - 2 * MARGIN - 1.0
        height = top - bottom if not self.portrait else min(top - bottom, width * 1.5)
        axes = window_axes(self, pl.window, width, height)
        axes.move_to([0.35, (top + bottom) / 2, 0])
        x_unit = width / (pl.window[1] - pl.window[0])
        y_unit = height / (pl.window[3] - pl.window[2])
        half_length = min(p.line_length, width * 0.8) / 2

        curve = axes.plot(pl.expression, x_range=(pl.window[0], pl.window[1], (pl.window[1] - pl.window[0]) / 400),
                          color=theme.curve, stroke_width=theme.stroke(4))
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
            t = pl.tangent_at(pl.x_at(progress.get_value()))
            start, end = pl.tangent_segment(t, half_length, x_unit, y_unit)
            place_segment(line, axes.c2p(*start), axes.c2p(*end))
            dot.move_to(axes.c2p(t.x0, t.y0))
            x_value.set_value(t.x0)
            slope_value.set_value(t.slope)
            if p.second_order:
                place_quadratic(t)

        self.caption(f"Take f(x) = {p.function} and put a point on it, with the line that just touches it there.", INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.5, Write(header), Create(axes))
        extras = [FadeIn(quadratic)] if p.second_order else []
        self.timed_play(INTRO_SECONDS * 0.5, Create(curve), FadeIn(dot), Create(line), FadeIn(readouts), *extras)

        words = (
            "As the point slides along, its tangent tilts with the curve: steep where f climbs, "
            "flat at the tops and bottoms, and its slope is always f'(x0)."
        )
        if p.second_order:
            words += " The quadratic also bends with the curve, so it hugs f for longer."
        self.caption(words, p.seconds)
        dot.add_updater(follow)
        keep_redrawn(line, readouts, quadratic)
        self.timed_play(p.seconds, progress.animate.set_value(1.0), rate_func=linear)
        dot.remove_updater(follow)
        stop_redrawing(line, readouts, quadratic)

        self.caption("Near the point the line matches the curve: the derivative is the slope of that line.", ENDING_SECONDS)
        self.timed_wait(ENDING_SECONDS)
