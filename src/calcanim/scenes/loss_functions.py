"""loss-functions: each loss L(p) with its gradient dL/dp beneath; a prediction slides to the target."""

from __future__ import annotations

from manim import (
    DOWN, LEFT, RIGHT, UP, Arrow, Circle, Create, DashedLine, Dot, FadeIn, FadeOut, Mobject, ValueTracker, VGroup,
    Write, linear,
)

from calcanim.params.loss_functions import LossFunctionsParams
from calcanim.plans.loss_functions import (
    DRAW_SHARE, ENDING_SECONDS, INTRO_SECONDS, SLIDE_SHARE, LossFunctionsPlan, LossPanel,
)
from calcanim.plans.tex_numbers import tex_number
from calcanim.scenes.base import FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed
from calcanim.scenes.function_plot import (
    FONT_TEXT, FONT_TICK, clipped, fit_width, name_above, plot_axes, polyline, stacked_plots, table, words,
)
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing


#: Landscape frames narrower than this (manim units; 16:9 is 14.2) lay out as 1:1 and 4:3 do.
NARROW_WIDTH = 12.0


class LossFunctionsScene(FrameTimed, CalcanimScene[LossFunctionsParams, LossFunctionsPlan]):
    """mse, mae, huber, hinge, log_loss as functions of the prediction p, gradients beneath."""


    def construct(self) -> None:
        self.start_clock()
        title = words(self, "Loss functions and their gradients", size=FONT_TITLE)
        fit_width(title, self.frame_width - 2 * MARGIN - 0.4)
        self.caption(f"A loss scores a prediction p against the target y = {self.params.target:g}; "
                     "its gradient tells p which way to move.", INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.6, Write(title))
        self.timed_play(INTRO_SECONDS * 0.4, FadeOut(title))
        for panel in self.plan.panels:
            self.show_panel(panel, self.params.seconds_per_loss)
        self.caption("Squared error's gradient shrinks near the target; absolute error's stays the same size.",
                     ENDING_SECONDS)
        closing = words(self, "mse: the gradient shrinks near the target\nmae: it keeps its size")
        self.timed_play(ENDING_SECONDS * 0.4, FadeIn(closing))
        self.timed_wait(ENDING_SECONDS * 0.6)

    def show_panel(self, panel: LossPanel, seconds: float) -> None:
        theme = self.theme
        fw, fh = self.frame_width, self.frame_height
        narrow = not self.portrait and fw < NARROW_WIDTH
        if self.portrait:
            plot_width, value_height, slope_height = fw - 2 * MARGIN - 1.3, 2.5, 2.2
            text_width = fw - 2 * MARGIN
        elif narrow:  # 1:1, 4:3: the heading across the top, the plots left, the table and readouts right
            plot_width, value_height, slope_height = 0.0, 1.9, 1.6
            text_width = fw - 2 * MARGIN
        else:
            plot_width, value_height, slope_height = 7.2, 2.6, 2.2
            text_width = fw - 2 * MARGIN - plot_width - 1.6
        heading = self.heading(panel, text_width)
        rows = [[tex_number(s.prediction, 2), tex_number(s.value, 3),
                 r"\text{none (kink)}" if s.gradient is None else tex_number(s.gradient, 3)] for s in panel.samples]
        cells = table(self, [r"\text{at } p", "L", "dL/dp"], rows, [theme.text, theme.curve, theme.accent])
        grid = VGroup(*[VGroup(*row) for row in cells])
        start = panel.slide_at(0.0)
        p_value = self.number(start.prediction, 2, size=FONT_TEXT, colour=theme.point)
        g_value = self.number(start.gradient or 0.0, 2, size=FONT_TEXT, colour=theme.accent)
        readouts = VGroup(
            VGroup(self.math("p =", size=FONT_TEXT), p_value).arrange(RIGHT, buff=0.15),
            VGroup(self.math(r"dL/dp =", size=FONT_TEXT), g_value).arrange(RIGHT, buff=0.15),
        )
        if narrow:
            readouts.arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        else:
            readouts.arrange(RIGHT, buff=0.5)
        if narrow:
            side = VGroup(grid, readouts).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
            plot_width = fw - 2 * MARGIN - side.width - 1.9
            heading.to_corner(UP + LEFT, buff=MARGIN + 0.1)
            free = heading.get_bottom()[1] - (-fh / 2 + MARGIN + 0.1) - 0.45 - 0.9 - 1.0 - 0.2
            value_height, slope_height = free * 0.55, free * 0.45
        x_ticks = 3 if plot_width < 4.0 else 5  # a narrow plot: fewer x numbers, so they never touch
        value_axes = plot_axes(self, panel.value_window, plot_width, value_height, x_ticks=x_ticks)
        slope_axes = plot_axes(self, panel.gradient_window, plot_width, slope_height, x_ticks=x_ticks)
        plots = stacked_plots(value_axes, slope_axes, panel.value_window[0])
        l_name = self.math("L(p)", size=FONT_TEXT, colour=theme.curve)
        g_name = self.math(r"dL/dp", size=FONT_TEXT, colour=theme.accent)

        if narrow:
            plots.next_to(heading, DOWN, buff=0.9).to_edge(LEFT, buff=MARGIN + 0.1)
            side.next_to(plots, RIGHT, buff=0.5).align_to(value_axes, UP).shift(DOWN * 0.15)
        elif self.portrait:
            heading.to_edge(UP, buff=MARGIN + 0.2)
            plots.next_to(heading, DOWN, buff=0.9).to_edge(RIGHT, buff=MARGIN + 0.1)
            side = VGroup(readouts, grid).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            side.next_to(plots, DOWN, buff=0.45).set_x(0)
        else:
            plots.to_edge(RIGHT, buff=MARGIN + 0.1).set_y(-0.1)
            side = VGroup(heading, grid, readouts).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
            side.to_edge(LEFT, buff=MARGIN + 0.1)

        name_above(value_axes, l_name, panel.value_window)
        name_above(slope_axes, g_name, panel.gradient_window)
        stroke = theme.stroke(4)
        value_curves = VGroup(*[polyline(value_axes, run, theme.curve, stroke)
                                for run in clipped(panel.value_curve, panel.value_window)])
        slope_curves = VGroup(*[polyline(slope_axes, run, theme.accent, stroke)
                                for part in panel.gradient_parts for run in clipped(part, panel.gradient_window)])
        marks = self.marks(panel, value_axes, slope_axes, beside=l_name if narrow else None)
        self.caption(f"{panel.name} = {panel.definition}, with target y = {panel.target:g}.", seconds * DRAW_SHARE)
        self.timed_play(
            seconds * DRAW_SHARE,
            FadeIn(heading), FadeIn(value_axes), FadeIn(slope_axes), FadeIn(l_name), FadeIn(g_name),
            Create(value_curves), Create(slope_curves), FadeIn(grid), *[FadeIn(m) for m in marks],
        )

        progress = ValueTracker(0.0)
        dot = Dot(value_axes.c2p(start.prediction, start.value), radius=0.09, color=theme.point)
        foot = Dot(slope_axes.c2p(start.prediction, 0.0), radius=0.06, color=theme.point)
        arrow = Arrow(slope_axes.c2p(start.prediction, 0.0), slope_axes.c2p(start.prediction, start.gradient or 0.0),
                      buff=0, color=theme.point, stroke_width=theme.stroke(5), max_tip_length_to_length_ratio=0.3)
        shown = {"gradient": start.gradient or 0.0}

        def follow(_: Mobject) -> None:
            now = panel.slide_at(progress.get_value())
            dot.move_to(value_axes.c2p(now.prediction, now.value))
            foot.move_to(slope_axes.c2p(now.prediction, 0.0))
            p_value.set_value(now.prediction)
            if now.gradient is None:
                return
            shown["gradient"] = now.gradient
            g_value.set_value(now.gradient)
            base = slope_axes.c2p(now.prediction, 0.0)
            tip = slope_axes.c2p(now.prediction, now.gradient)
            if abs(tip[1] - base[1]) < 0.02:
                arrow.set_opacity(0)
            else:
                arrow.set_opacity(1)
                arrow.put_start_and_end_on(base, tip)

        slide = seconds * SLIDE_SHARE
        kind = {"mse": "shrinks as p nears the target", "mae": "keeps its size all the way",
                "huber": "keeps its size far away, then shrinks within delta",
                "hinge": "stays the same until the margin y p = 1, then is zero",
                "log_loss": "shrinks as p moves toward the label"}[panel.name]
        self.caption(f"The prediction slides toward the target; the gradient {kind}.", slide)
        self.timed_play(slide * 0.15, FadeIn(dot), FadeIn(foot), FadeIn(arrow), FadeIn(readouts))
        dot.add_updater(follow)
        keep_redrawn(foot, arrow, readouts)
        self.timed_play(slide * 0.85, progress.animate.set_value(1.0), rate_func=linear)
        dot.remove_updater(follow)
        stop_redrawing(foot, arrow, readouts)
        rest = seconds * (1 - DRAW_SHARE - SLIDE_SHARE)
        self.timed_wait(rest * 0.7)
        everything = [heading, value_axes, slope_axes, l_name, g_name, value_curves, slope_curves, grid, readouts,
                      dot, foot, arrow, *marks]
        self.timed_play(rest * 0.3, *[FadeOut(m) for m in everything])

    def heading(self, panel: LossPanel, width: float) -> VGroup:
        theme = self.theme
        name = words(self, panel.name, size=FONT_TITLE, colour=theme.curve)
        parts: list[Mobject] = [name, self.math(rf"L = {panel.tex}", size=FONT_TEXT)]
        conditions = {
            "hinge": r"y \in \{-1, +1\}",
            "log_loss": r"y \in \{0, 1\},\ \ p \in (0, 1)",
            "huber": rf"\delta = {panel.delta:g}",
        }
        detail = conditions.get(panel.name, "")
        parts.append(self.math(rf"y = {panel.target:g}" + (rf",\ \ {detail}" if detail else ""), size=FONT_TICK,
                               colour=theme.reference))
        group = VGroup(*parts).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        return fit_width(group, width)

    def marks(self, panel: LossPanel, value_axes: Mobject, slope_axes: Mobject, beside: Mobject | None = None) -> list[Mobject]:
        """The target as a dashed line (where it is inside the window) and the kink, if any; ``beside``
        (narrow plots, whose tick row has no room): the kink's word goes right of the plot's name."""
        theme = self.theme
        marks: list[Mobject] = []
        p_min, p_max, y_min, y_max = panel.value_window
        y = panel.target
        if p_min < y < p_max:
            line = DashedLine(value_axes.c2p(y, y_min), value_axes.c2p(y, y_max), color=theme.reference,
                              stroke_width=theme.stroke(2))
            label = self.math(rf"y = {y:g}", size=FONT_TICK, colour=theme.reference)
            label.next_to(value_axes.c2p(y, y_max), RIGHT, buff=0.12).shift(DOWN * 0.15)
            marks += [line, label]
        if panel.kink is not None:
            at = panel.at(panel.kink)
            ring = Circle(radius=0.13, color=theme.reference, stroke_width=theme.stroke(3))
            ring.move_to(value_axes.c2p(panel.kink, at.value))
            # In the row of the tick numbers, just right of the kink's own tick: the curve rises on both
            # sides of a kink (and the target's dashed line may stand on it), so nothing is drawn there.
            label = words(self, "kink", size=FONT_TICK, colour=theme.reference)
            label.next_to(value_axes.c2p(panel.kink, y_min), DOWN + RIGHT, buff=0.12).shift(RIGHT * 0.12)
            if beside is not None:
                label.next_to(beside, RIGHT, buff=0.35)
            marks += [ring, label]
            for part, end in ((panel.gradient_parts[0], -1), (panel.gradient_parts[1], 0)):
                level = float(part[end, 1])
                marks.append(Circle(radius=0.08, color=theme.accent, stroke_width=theme.stroke(3))
                             .set_fill(theme.background, 1).move_to(slope_axes.c2p(panel.kink, level)))
        return marks
