"""activations: each activation function with its derivative beneath it, one after another."""

from __future__ import annotations

from manim import (
    DOWN, LEFT, RIGHT, UP, UR, Axes, Circle, Create, DashedLine, Dot, FadeIn, FadeOut, Mobject, Square, VGroup,
)

from calcanim.params.activations import ActivationsParams
from calcanim.plans.activations import DRAW_SHARE, READ_SHARE, ActivationPanel, ActivationsPlan
from calcanim.scenes.base import FONT_TITLE
from calcanim.scenes.function_plot import FONT_TEXT, FONT_TICK, band, fit_width, name_above, polyline, table, words
from calcanim.scenes.value_slope_panels import ValueSlopePanelsScene

SHADE_OPACITY = 0.22


class ActivationsScene(ValueSlopePanelsScene[ActivationsParams, ActivationsPlan]):
    """sigmoid, tanh, relu, ... each drawn with f on top and f' beneath, saturation shaded."""

    HEADLINE = "Activation functions and their slopes"
    INTRO = "An activation bends a neuron's sum; its derivative decides how much gradient flows back."
    ENDING = "Where the slope is nearly zero, the unit is saturated and little gradient gets through."
    CLOSING = "small slope = saturated:\nlittle gradient flows back"

    def show_panel(self, panel: ActivationPanel, seconds: float) -> None:
        theme, narrow = self.theme, self.narrow
        plot_width, value_height, slope_height, text_width = self.panel_sizes(portrait_slope_height=2.1)
        heading = self.heading(panel, text_width)
        rows = [list(row) for row in panel.rows]
        cells = table(self, [r"\text{at } x", "f(x)", "f'(x)"], rows, [theme.text, theme.curve, theme.accent])
        grid = VGroup(*[VGroup(*row) for row in cells])
        legend = self.saturation_legend(stacked=narrow)
        if narrow or self.portrait:
            side = VGroup(grid, legend).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
        else:
            side = VGroup(heading, grid, legend).arrange(DOWN, buff=0.45, aligned_edge=LEFT)
        if narrow:
            plot_width, value_height, slope_height = self.narrow_plot_sizes(heading, side, room_below=0.5)
        value_axes, slope_axes, plots = self.value_and_slope_axes(
            panel.value_window, panel.slope_window, plot_width, value_height, slope_height)
        f_name = self.math("f(x)", size=FONT_TEXT, colour=theme.curve)
        d_name = self.math("f'(x)", size=FONT_TEXT, colour=theme.accent)
        self.place_panel(heading, plots, value_axes, side, gap_below=0.5)

        shades = VGroup(*[
            band(axes, a, b, window, theme.muted, SHADE_OPACITY)
            for a, b in panel.saturation
            for axes, window in ((value_axes, panel.value_window), (slope_axes, panel.slope_window))
        ])
        name_above(value_axes, f_name, panel.value_window)
        name_above(slope_axes, d_name, panel.slope_window)
        stroke = theme.stroke(4)
        value_curve = polyline(value_axes, panel.value_curve, theme.curve, stroke)
        slope_curves = VGroup(*[polyline(slope_axes, part, theme.accent, stroke) for part in panel.slope_parts])
        marks = self.marks(panel, value_axes, slope_axes, names=(f_name, d_name) if narrow else None)
        draw = [FadeIn(m) for m in marks]
        self.caption(f"{panel.name}: the function on top, its derivative beneath."
                     + (f" {panel.note.replace(chr(10), ' ')}." if panel.note else ""), seconds * DRAW_SHARE)
        self.timed_play(
            seconds * DRAW_SHARE,
            FadeIn(heading), FadeIn(value_axes), FadeIn(slope_axes), FadeIn(f_name), FadeIn(d_name),
            FadeIn(shades), Create(value_curve), Create(slope_curves), FadeIn(grid[0]), FadeIn(legend), *draw,
        )
        read = seconds * READ_SHARE / max(1, len(panel.samples))
        dots: list[Mobject] = []
        self.caption("Read off at each point: the value and the slope.", seconds * READ_SHARE)
        for sample, row in zip(panel.samples, grid[1:]):
            on_value = Dot(value_axes.c2p(sample.point, sample.value), radius=0.07, color=theme.point)
            new = [on_value]
            if sample.slope is not None:
                new.append(Dot(slope_axes.c2p(sample.point, sample.slope), radius=0.07, color=theme.point))
            dots.extend(new)
            self.timed_play(read, FadeIn(row), *[FadeIn(d) for d in new])
        rest = seconds * (1 - DRAW_SHARE - READ_SHARE)
        self.caption(self.summary(panel), rest)
        self.timed_wait(rest * 0.7)
        everything = [heading, value_axes, slope_axes, f_name, d_name, shades, value_curve, slope_curves, grid,
                      legend, *marks, *dots]
        self.timed_play(rest * 0.3, *[FadeOut(m) for m in everything])

    def heading(self, panel: ActivationPanel, width: float) -> VGroup:
        theme = self.theme
        name = words(self, panel.name, size=FONT_TITLE, colour=theme.curve)
        lines = [self.math(part, size=FONT_TEXT) for part in panel.tex.split(r",\ \ ")]
        parts: list[Mobject] = [name, *lines]
        if panel.note:
            parts.append(words(self, panel.note, size=FONT_TICK, colour=theme.reference))
        group = VGroup(*parts).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        return fit_width(group, width)

    def saturation_legend(self, stacked: bool = False) -> VGroup:
        """The shading's meaning; ``stacked``: on two lines (narrow frames)."""
        theme = self.theme
        swatch = Square(0.3, stroke_width=0, fill_color=theme.muted, fill_opacity=SHADE_OPACITY * 2)
        if stacked:
            words = VGroup(self.math(r"|f'(x)| < 0.05:", size=FONT_TICK), self.math(r"\text{saturated}", size=FONT_TICK))
            words.arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        else:
            words = self.math(r"|f'(x)| < 0.05:\ \text{saturated}", size=FONT_TICK)
        return VGroup(swatch, words).arrange(RIGHT, buff=0.2)

    def marks(self, panel: ActivationPanel, value_axes: Axes, slope_axes: Axes, names: tuple[Mobject, Mobject] | None = None) -> list[Mobject]:
        """The derivative's peak, and at a kink: the corner on f and the open ends of the jump in f'.
        ``names`` (the plots' names; narrow plots, too small to write in): the kink's words go right of
        f's name, above its plot, and the peak's value under the f' plot, in the dot's colour."""
        theme = self.theme
        marks: list[Mobject] = []
        if panel.max_derivative_at is not None:
            peak = slope_axes.c2p(panel.max_derivative_at, panel.max_derivative)
            label = self.math(panel.peak_label_tex, size=FONT_TICK, colour=theme.reference)
            label.next_to(peak, UR, buff=0.12)
            if names is not None:
                label.next_to(slope_axes, DOWN, buff=0.15, aligned_edge=LEFT)
            marks += [Dot(peak, radius=0.08, color=theme.reference), label]
        if panel.kink is not None and panel.kink_sides is not None:
            corner = value_axes.c2p(panel.kink, 0.0)
            ring = Circle(radius=0.13, color=theme.reference, stroke_width=theme.stroke(3)).move_to(corner)
            label = words(self, "kink: no slope at 0", size=FONT_TICK, colour=theme.reference)
            label.next_to(ring, UP + LEFT, buff=0.12)
            if names is not None:
                label.next_to(names[0], RIGHT, buff=0.35)
            marks += [ring, label]
            low, high = panel.kink_sides
            for level in (low, high):
                marks.append(Circle(radius=0.08, color=theme.accent, stroke_width=theme.stroke(3))
                             .set_fill(self.theme.background, 1).move_to(slope_axes.c2p(panel.kink, level)))
            marks.append(DashedLine(slope_axes.c2p(panel.kink, low), slope_axes.c2p(panel.kink, high),
                                    color=theme.muted, stroke_width=theme.stroke(2)))
            if names is not None:  # two lines, right of the jump, between its two ends (away from the ticks)
                jump = VGroup(self.math(r"f'(0)", size=FONT_TICK, colour=theme.reference),
                              self.math(r"\text{undefined}", size=FONT_TICK, colour=theme.reference))
                jump.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
                jump.next_to(slope_axes.c2p(panel.kink, (low + high) / 2), RIGHT, buff=0.2)
            else:
                jump = self.math(r"f'(0)\ \text{undefined}", size=FONT_TICK, colour=theme.reference)
                jump.next_to(slope_axes.c2p(panel.kink, high), LEFT, buff=0.25)
            marks.append(jump)
        return marks

    def summary(self, panel: ActivationPanel) -> str:
        bands = " and ".join(f"{a:.2f} to {b:.2f}" for a, b in panel.saturation)
        text = panel.peak_sentence
        if bands:
            text += f" It is below 0.05 from {bands}: saturated."
        if panel.kink is not None:
            text += " At 0 it has a kink: no slope there."
        return text

