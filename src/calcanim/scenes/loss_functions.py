"""loss-functions: each loss L(p) with its gradient dL/dp beneath; a prediction slides to the target."""

from __future__ import annotations

from manim import (
    DOWN, LEFT, RIGHT, Arrow, Circle, Create, DashedLine, Dot, FadeIn, FadeOut, Mobject, ValueTracker, VGroup, linear,
)

from calcanim.params.loss_functions import LossFunctionsParams
from calcanim.plans.loss_functions import DRAW_SHARE, SLIDE_SHARE, LossFunctionsPlan, LossPanel
from calcanim.scenes.base import FONT_TITLE
from calcanim.scenes.function_plot import FONT_TEXT, FONT_TICK, clipped, fit_width, name_above, polyline, table, words
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing
from calcanim.scenes.value_slope_panels import ValueSlopePanelsScene


class LossFunctionsScene(ValueSlopePanelsScene[LossFunctionsParams, LossFunctionsPlan]):
    """mse, mae, huber, hinge, log_loss as functions of the prediction p, gradients beneath."""

    HEADLINE = "Loss functions and their gradients"
    ENDING = "Squared error's gradient shrinks near the target; absolute error's stays the same size."
    CLOSING = "mse: the gradient shrinks near the target\nmae: it keeps its size"

    def intro(self) -> str:
        return (f"A loss scores a prediction p against the target y = {self.params.target:g}; "
                "its gradient tells p which way to move.")

    def show_panel(self, panel: LossPanel, seconds: float) -> None:
        theme, narrow = self.theme, self.narrow
        plot_width, value_height, slope_height, text_width = self.panel_sizes(portrait_slope_height=2.2)
        heading = self.heading(panel, text_width)
        rows = [list(row) for row in panel.rows]
        cells = table(self, [r"\text{at } p", "L", "dL/dp"], rows, [theme.text, theme.curve, theme.accent])
        grid = VGroup(*[VGroup(*row) for row in cells])
        start = panel.slide_at(0.0)
        p_value = self.number(start.point, 2, size=FONT_TEXT, colour=theme.point)
        g_value = self.number(start.slope or 0.0, 2, size=FONT_TEXT, colour=theme.accent)
        readouts = VGroup(
            VGroup(self.math("p =", size=FONT_TEXT), p_value).arrange(RIGHT, buff=0.15),
            VGroup(self.math(r"dL/dp =", size=FONT_TEXT), g_value).arrange(RIGHT, buff=0.15),
        )
        if narrow:
            readouts.arrange(DOWN, buff=0.25, aligned_edge=LEFT)
            side = VGroup(grid, readouts).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
            plot_width, value_height, slope_height = self.narrow_plot_sizes(heading, side, room_below=0.2)
        else:
            readouts.arrange(RIGHT, buff=0.5)
            if self.portrait:
                side = VGroup(readouts, grid).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            else:
                side = VGroup(heading, grid, readouts).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
        value_axes, slope_axes, plots = self.value_and_slope_axes(
            panel.value_window, panel.slope_window, plot_width, value_height, slope_height)
        l_name = self.math("L(p)", size=FONT_TEXT, colour=theme.curve)
        g_name = self.math(r"dL/dp", size=FONT_TEXT, colour=theme.accent)
        self.place_panel(heading, plots, value_axes, side, gap_below=0.45)

        name_above(value_axes, l_name, panel.value_window)
        name_above(slope_axes, g_name, panel.slope_window)
        stroke = theme.stroke(4)
        value_curves = VGroup(*[polyline(value_axes, run, theme.curve, stroke)
                                for run in clipped(panel.value_curve, panel.value_window)])
        slope_curves = VGroup(*[polyline(slope_axes, run, theme.accent, stroke)
                                for part in panel.slope_parts for run in clipped(part, panel.slope_window)])
        marks = self.marks(panel, value_axes, slope_axes, beside=l_name if narrow else None)
        self.caption(f"{panel.name} = {panel.definition}, with target y = {panel.target:g}.", seconds * DRAW_SHARE)
        self.timed_play(
            seconds * DRAW_SHARE,
            FadeIn(heading), FadeIn(value_axes), FadeIn(slope_axes), FadeIn(l_name), FadeIn(g_name),
            Create(value_curves), Create(slope_curves), FadeIn(grid), *[FadeIn(m) for m in marks],
        )

        progress = ValueTracker(0.0)
        dot = Dot(value_axes.c2p(start.point, start.value), radius=0.09, color=theme.point)
        foot = Dot(slope_axes.c2p(start.point, 0.0), radius=0.06, color=theme.point)
        arrow = Arrow(slope_axes.c2p(start.point, 0.0), slope_axes.c2p(start.point, start.slope or 0.0),
                      buff=0, color=theme.point, stroke_width=theme.stroke(5), max_tip_length_to_length_ratio=0.3)
        shown = {"gradient": start.slope or 0.0}

        def follow(_: Mobject) -> None:
            now = panel.slide_at(progress.get_value())
            dot.move_to(value_axes.c2p(now.point, now.value))
            foot.move_to(slope_axes.c2p(now.point, 0.0))
            p_value.set_value(now.point)
            if now.slope is None:
                return
            shown["gradient"] = now.slope
            g_value.set_value(now.slope)
            base = slope_axes.c2p(now.point, 0.0)
            tip = slope_axes.c2p(now.point, now.slope)
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
            for part, end in ((panel.slope_parts[0], -1), (panel.slope_parts[1], 0)):
                level = float(part[end, 1])
                marks.append(Circle(radius=0.08, color=theme.accent, stroke_width=theme.stroke(3))
                             .set_fill(theme.background, 1).move_to(slope_axes.c2p(panel.kink, level)))
        return marks
