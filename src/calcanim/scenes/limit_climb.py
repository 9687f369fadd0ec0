"""limit-climb: a dot climbs a_n = (1 + 1/n)^n on a log-scaled n axis and parks against e."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UR,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    Flash,
    Mobject,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from calcanim.params.limit_climb import LimitClimbParams
from calcanim.plans.limit_climb import ENDING_SECONDS, INTRO_SECONDS, Checkpoint, LimitClimbPlan
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, CalcanimScene

#: The a_n axis: ticks every 0.2 from its foot, so the foot must sit on a labelled value (2.0, 2.2, ...).
Y_RANGE = (1.8, 2.9)


class LimitClimbScene(CalcanimScene[LimitClimbParams, LimitClimbPlan]):
    """(1 + 1/n)^n climbing to e as n runs from 1 to n_max."""

    def construct(self) -> None:
        theme, p = self.theme, self.params
        top = self.log_axis_top()
        axes = self.make_axes(top)
        title = self.math(r"a_n = \left(1+\frac{1}{n}\right)^{n}", size=FONT_TITLE)
        log_n = ValueTracker(0.0)
        n_readout = self.number(1, 0, size=FONT_BODY, group_with_commas=True)
        a_readout = self.number(self.plan.value_at_log10(0.0), p.decimals, size=FONT_BODY)
        readouts = VGroup(
            VGroup(self.math("n =", size=FONT_BODY), n_readout).arrange(RIGHT, buff=0.15),
            VGroup(self.math("a_n =", size=FONT_BODY), a_readout).arrange(RIGHT, buff=0.15),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.place_header(title, readouts)

        curve = axes.plot(
            self.plan.curve_at_log10,
            x_range=(0.0, self.plan.log10_n_max, self.plan.log10_n_max / 200 or 0.01),
            color=theme.curve,
            stroke_width=theme.stroke(3),
            stroke_opacity=0.45,
        )
        e_line = DashedLine(
            axes.c2p(0, math.e), axes.c2p(top, math.e), color=theme.reference, stroke_width=theme.stroke(3)
        )
        e_label = self.math(r"e = 2.71828\ldots", size=FONT_LABEL, colour=theme.reference)
        e_label.next_to(axes.c2p(top, math.e), UP, buff=0.15).align_to(e_line, RIGHT)

        dot = Dot(axes.c2p(0, self.plan.value_at_log10(0.0)), radius=0.09, color=theme.point)

        def follow(_: object) -> None:
            t = log_n.get_value()
            dot.move_to(axes.c2p(t, self.plan.curve_at_log10(t)))
            n_readout.set_value(self.plan.n_at_log10(t))
            a_readout.set_value(self.plan.value_at_log10(t))

        self.caption("a_n = (1 + 1/n)^n. At n = 1 it is 2; at n = 2 it is 2.25.", INTRO_SECONDS)
        self.play(Create(axes), Write(title), FadeIn(readouts), run_time=INTRO_SECONDS * 0.6)
        self.play(Create(e_line), FadeIn(e_label), FadeIn(dot), Create(curve), run_time=INTRO_SECONDS * 0.4)

        dot.add_updater(follow)
        # follow() sets the readouts from the dot's updater: without updaters of their own, manim would
        # paint them into each play's frozen background and they would only jump at the marks.
        keep_redrawn(n_readout, a_readout)
        # manim redraws every frame each mobject from the first moving one to the end of the scene's
        # list; keeping the moving ones last leaves the e line's dashes, the curve and the marks in
        # the frozen background (150 shapes a frame were redrawn before, ~25 now).
        self.moving_last = (readouts, dot)
        self.bring_to_front(*self.moving_last)
        self.climb(axes, log_n, top)
        dot.remove_updater(follow)
        stop_redrawing(n_readout, a_readout)
        follow(None)

        self.caption(
            f"As n grows, (1 + 1/n)^n settles near {math.e:.5f}: the number e. It never passes it.",
            ENDING_SECONDS,
        )
        verdict = self.text("the climb settles on e", size=FONT_BODY, colour=theme.reference)
        if self.frame_width >= 12:  # landscape: in the empty space under the e line
            verdict.next_to(e_line, DOWN, buff=1.3).align_to(e_line, RIGHT).shift(LEFT * 0.3)
        else:  # square or portrait: under the chart, where nothing else is
            verdict.next_to(axes, DOWN, buff=0.35)
        self.play(Flash(dot, color=theme.reference), FadeIn(verdict), run_time=1.0)
        self.wait(ENDING_SECONDS - 1.0)

    def log_axis_top(self) -> float:
        """Right end of the log10(n) axis: whole decades, at least one."""
        return max(1.0, float(math.ceil(self.plan.log10_n_max - 1e-9)))

    def make_axes(self, top: float) -> Axes:
        theme = self.theme
        width = self.frame_width * (0.78 if not self.portrait else 0.8)
        height = self.frame_height * (0.62 if not self.portrait else 0.5)
        step = 1.0 if top <= 8 else float(math.ceil(top / 8))
        axes = Axes(
            x_range=(0.0, top, step),
            y_range=(Y_RANGE[0], Y_RANGE[1], 0.2),
            x_length=width,
            y_length=height,
            tips=False,
            axis_config={"color": theme.axis, "stroke_width": theme.stroke(2)},
        )
        for k in np.arange(0.0, top + 1e-9, step):
            label = self.math("1" if k == 0 else ("10" if k == 1 else f"10^{{{int(k)}}}"), size=FONT_SMALL)
            label.next_to(axes.c2p(k, Y_RANGE[0]), DOWN, buff=0.2)
            axes.add(label)
        for y in np.arange(2.0, Y_RANGE[1] - 1e-9, 0.2):
            label = self.number(float(y), 1, size=FONT_SMALL)
            label.next_to(axes.c2p(0, y), LEFT, buff=0.2)
            axes.add(label)
        n_label = self.math("n", size=FONT_LABEL).next_to(axes.c2p(top, Y_RANGE[0]), DOWN + RIGHT, buff=0.25)
        axes.add(n_label)
        axes.to_edge(DOWN, buff=0.8 if not self.portrait else 2.5).shift(RIGHT * 0.3)
        return axes

    def place_header(self, title: VGroup, readouts: VGroup) -> None:
        if self.portrait:
            title.to_edge(UP, buff=1.2)
            readouts.next_to(title, DOWN, buff=0.5)
        else:
            title.to_corner(UP + LEFT, buff=0.5)
            readouts.to_corner(UR, buff=0.5)

    def climb(self, axes: Axes, log_n: ValueTracker, top: float) -> None:
        """Move through the marks in order, leaving each mark's value on screen as it is passed."""
        p = self.params
        end = self.plan.log10_n_max
        stops = [math.log10(c.n) for c in self.plan.checkpoints]
        speed = p.duration / end if end > 0 else p.duration
        self.caption("As n grows, the dot keeps climbing, ever more slowly.", p.duration)
        previous = 0.0
        last_label: Mobject | None = None
        for checkpoint, stop in zip(self.plan.checkpoints, stops, strict=True):
            if stop > previous:
                self.play(log_n.animate.set_value(stop), run_time=(stop - previous) * speed, rate_func=linear)
                previous = stop
            point, label = self.mark(axes, stop, checkpoint, at_right_end=stop > top - 0.6)
            if last_label is not None and _overlap(label, last_label):
                label.next_to(last_label, DOWN, buff=0.06).align_to(label, LEFT)  # stagger crowded labels
            self.add(point, label)
            self.bring_to_front(*self.moving_last)
            last_label = label
        if end > previous:
            self.play(log_n.animate.set_value(end), run_time=(end - previous) * speed, rate_func=linear)
        elif end == 0:
            self.wait(p.duration)

    def mark(self, axes: Axes, t: float, checkpoint: Checkpoint, at_right_end: bool = False) -> list[Mobject]:
        """A small dot at (n, a_n) with its value written below it (below-left at the axis' end)."""
        point = Dot(axes.c2p(t, checkpoint.value), radius=0.05, color=self.theme.accent)
        label = self.math(checkpoint.label.replace("...", r"\ldots"), size=FONT_SMALL, colour=self.theme.muted)
        label.next_to(point, DOWN + (LEFT if at_right_end else RIGHT), buff=0.08)
        return [point, label]


def _overlap(a: Mobject, b: Mobject, margin: float = 0.05) -> bool:
    """Whether two mobjects' bounding boxes (plus a margin) intersect."""
    return bool(
        a.get_left()[0] < b.get_right()[0] + margin
        and b.get_left()[0] < a.get_right()[0] + margin
        and a.get_bottom()[1] < b.get_top()[1] + margin
        and b.get_bottom()[1] < a.get_top()[1] + margin
    )
