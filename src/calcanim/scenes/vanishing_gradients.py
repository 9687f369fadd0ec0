"""vanishing-gradients: the running product of the layers' factors on a log axis, layer by layer."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Axes, Create, DashedLine, FadeIn, Line, ORIGIN, Mobject, ValueTracker, VGroup, VMobject,
    Write, linear,
)

from calcanim.params.vanishing_gradients import VanishingGradientsParams
from calcanim.plans.vanishing_gradients import (
    ENDING_SECONDS, INTRO_SECONDS, REMEDY, REMEDY_TEX_PARTS, ChainView, VanishingGradientsPlan,
)
from calcanim.numerics.ticks import tick_values
from calcanim.scenes.base import MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed, set_polyline
from calcanim.scenes.function_plot import FONT_TEXT, FONT_TICK, fit_width, words
from calcanim.scenes.graph_axes import bare_axes, keep_redrawn, stop_redrawing

ACT_TEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}", "leaky_relu": r"\mathrm{leaky}",
           "gelu": r"\mathrm{gelu}", "softplus": r"\mathrm{softplus}", "silu": r"\mathrm{silu}"}
#: The thin per-layer factor lines: see-through, but still 3:1 against every theme's background.
FACTOR_OPACITY = 0.75
#: Landscape frames narrower than this (manim units; 16:9 is 14.2) lay out as 1:1 and 4:3 do.
NARROW_WIDTH = 12.0


class VanishingGradientsScene(FrameTimed, CalcanimScene[VanishingGradientsParams, VanishingGradientsPlan]):
    """d h_k / d h_0 = prod weight * act'(z_j), drawn layer by layer on a log axis."""


    def construct(self) -> None:
        self.start_clock()
        self.readout_cache: dict[str, Mobject] = {}
        self.slot_text: dict[int, str] = {}
        self.slot_scale: dict[int, tuple[Mobject, float]] = {}
        theme, p, pl = self.theme, self.params, self.plan
        fw, fh = self.frame_width, self.frame_height
        model = rf"z_k = w\,h_{{k-1}} + b,\quad h_k = \mathrm{{act}}(z_k)"
        numbers = rf"w = {p.weight:g},\ b = {p.bias:g},\ h_0 = {p.input:g}"
        product = r"\frac{\partial h_k}{\partial h_0} = \prod_{j=1}^{k} w\,\mathrm{act}'(z_j)"
        if self.portrait:
            lines = [self.math(model, size=FONT_TEXT), self.math(numbers, size=FONT_TEXT)]
        else:
            lines = [self.math(model + r",\quad " + numbers, size=FONT_TEXT)]
        header = VGroup(*lines, self.math(product, size=FONT_TEXT)).arrange(DOWN, buff=0.2)
        fit_width(header, fw - 2 * MARGIN)
        header.to_edge(UP, buff=MARGIN + 0.1)

        colours = [theme.curve, theme.point]
        # 1:1 and 4:3: too narrow for the legend beside the axis' name and for the remedy on two lines;
        # the readouts' rows sit closer.
        narrow = not self.portrait and fw < NARROW_WIDTH
        columns = [self.readout_column(chain, colours[i], 0.1 if narrow else 0.18) for i, chain in enumerate(pl.chains)]
        k_value = self.number(1, 0, size=FONT_TEXT)
        k_row = VGroup(self.math("k =", size=FONT_TEXT), k_value).arrange(RIGHT, buff=0.12)
        legend = self.legend()
        note = self.remedy_note(four_lines=self.portrait)
        if narrow or note.width > fw - 2 * MARGIN:  # the remedy on four lines
            note = self.remedy_note(four_lines=True)
        note.to_edge(DOWN, buff=MARGIN + (0.1 if self.portrait else 0.0))
        if self.portrait:
            chains = VGroup(*[c[0] for c in columns]).arrange(RIGHT, buff=0.5, aligned_edge=UP)
            readouts = VGroup(k_row, chains).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
            fit_width(readouts, fw - 2 * MARGIN)
            readouts.next_to(note, UP, buff=0.6).set_x(0)
            legend.next_to(header, DOWN, buff=0.45).set_x(0)
            plot_w = fw - 2 * MARGIN - 2.4
            plot_h = (legend.get_bottom()[1] - 0.9) - (readouts.get_top()[1] + 0.9)
        else:
            readouts = VGroup(k_row, *[c[0] for c in columns]).arrange(DOWN, buff=0.16 if narrow else 0.4,
                                                                       aligned_edge=LEFT)
            plot_w = fw - 2 * MARGIN - readouts.width - 3.0
            plot_h = (header.get_bottom()[1] - 0.75) - (note.get_top()[1] + 0.75)
            if narrow:  # the legend gets its own row under the header
                legend.next_to(header, DOWN, buff=0.15).set_x(0)
                plot_h -= legend.height + 0.15
        axes, y_axis_name = self.log_axes(plot_w, plot_h, short_name=narrow)
        if self.portrait:
            axes.next_to(legend, DOWN, buff=0.7).set_x(0)
        else:
            axes.next_to(legend if narrow else header, DOWN, buff=0.75).to_edge(LEFT, buff=MARGIN + 0.75)
            readouts.to_edge(RIGHT, buff=MARGIN + 0.1).align_to(axes, UP)
        y_axis_name.next_to(axes.c2p(0, pl.log_range[1]), UP, buff=0.12, aligned_edge=LEFT)
        if not self.portrait:
            if not narrow:
                legend.next_to(y_axis_name, RIGHT, buff=0.6)
                if legend.get_right()[0] > readouts.get_left()[0] - 0.2:  # it would reach over the readouts:
                    legend.arrange(RIGHT, buff=0.3).next_to(y_axis_name, RIGHT, buff=0.3)  # close up the gaps
            if readouts.get_bottom()[1] < note.get_top()[1] + 0.12:
                readouts.shift(UP * (note.get_top()[1] + 0.12 - readouts.get_bottom()[1]))
        name_and_legend = VGroup(y_axis_name, legend)  # a group, not the legend inside the formula
        one = DashedLine(axes.c2p(0, 0), axes.c2p(p.depth, 0), color=theme.muted, stroke_width=theme.stroke(2))

        progress = ValueTracker(0.0)
        lines = [VMobject(stroke_color=colours[i], stroke_width=theme.stroke(4)) for i in range(len(pl.chains))]
        factor_lines = [VMobject(stroke_color=colours[i], stroke_width=theme.stroke(2), stroke_opacity=FACTOR_OPACITY)
                        for i in range(len(pl.chains))]
        log_points = [self.product_points(chain) for chain in pl.chains]
        factor_points = [self.factor_points(chain) for chain in pl.chains]
        origin = np.asarray(axes.c2p(0, 0))
        x_step, y_step = np.asarray(axes.c2p(1, 0)) - origin, np.asarray(axes.c2p(0, 1)) - origin

        def to_screen(pts: np.ndarray) -> np.ndarray:
            """Plot points to screen points: the axes are linear, so one affine map (no per-point c2p)."""
            return origin + np.outer(pts[:, 0], x_step) + np.outer(pts[:, 1], y_step)


        def follow(_: Mobject) -> None:
            t = progress.get_value()
            for i, _chain in enumerate(pl.chains):
                product = _upto(log_points[i], t)
                factors = _upto(factor_points[i], t)
                set_polyline(lines[i], [product] if len(product) >= 2 else [], to_screen)
                set_polyline(factor_lines[i], [factors] if len(factors) >= 2 else [], to_screen)
                _, factor_slot, gradient_slot = columns[i]
                k = max(1, min(p.depth, int(math.floor(t + 1e-9))))
                k_value.set_value(k)
                self.show_readout(factor_slot, pl.chains[i].factor_readout(k))
                self.show_readout(gradient_slot, pl.chains[i].gradient_readout(k))

        follow(lines[0])
        names = " and ".join(c.chain.activation for c in pl.chains)
        self.caption(f"A chain of {p.depth} scalar layers ({names}). By the chain rule, the gradient at the input "
                     "is the product of every layer's factor w times act'(z).", INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.6, Write(header), Create(axes), FadeIn(name_and_legend))
        self.timed_play(INTRO_SECONDS * 0.4, Create(one), FadeIn(readouts), *[FadeIn(x) for x in lines + factor_lines])

        self.caption(self.story(), p.seconds)
        anchor = lines[0]
        anchor.add_updater(follow)
        keep_redrawn(*lines[1:], *factor_lines, readouts)
        self.timed_play(p.seconds, progress.animate.set_value(float(p.depth)), rate_func=linear)
        anchor.remove_updater(follow)
        stop_redrawing(*lines[1:], *factor_lines, readouts)

        marks = [m for chain, colour in zip(pl.chains, colours) for m in self.dead_mark(axes, chain, colour)]
        self.caption("What keeps the product near 1: " + REMEDY, ENDING_SECONDS)
        self.timed_play(1.0, FadeIn(note), *[FadeIn(m) for m in marks])
        self.timed_wait(ENDING_SECONDS - 1.0)

    def log_axes(self, width: float, height: float, short_name: bool = False) -> tuple[Axes, Mobject]:
        """Layers 0..depth across, log10 |d h_k / d h_0| up, ticks at whole powers of ten (which say
        "log scale" when ``short_name`` leaves the words out of the axis' name)."""
        theme, p = self.theme, self.params
        low, high = self.plan.log_range
        axes = bare_axes(theme, (0, p.depth, low, high), width, height)
        for k in tick_values(0, p.depth, 5):
            if float(k).is_integer():
                label = self.math(f"{int(k)}", size=FONT_TICK, colour=theme.muted)
                axes.add(label.next_to(axes.c2p(k, low), DOWN, buff=0.12))
        ticks = [y for y in tick_values(low, high, 5) if float(y).is_integer()] or [0.0]
        for y in ticks:
            label = self.math(f"10^{{{int(y)}}}", size=FONT_TICK, colour=theme.muted)
            axes.add(label.next_to(axes.c2p(0, y), LEFT, buff=0.12))
            axes.add(Line(axes.c2p(0, y), axes.c2p(p.depth, y), color=theme.grid, stroke_width=theme.stroke(1)))
        layer_name = self.math(r"\text{layer } k", size=FONT_TICK, colour=theme.muted)
        axes.add(layer_name.next_to(axes.c2p(p.depth, low), RIGHT, buff=0.2))
        suffix = "" if short_name else r"\ \ \text{(log scale)}"
        name = self.math(r"\left|\partial h_k / \partial h_0\right|" + suffix, size=FONT_TICK,
                         colour=theme.text)
        return axes, name

    def readout_column(self, chain: ChainView, colour: str, gap: float = 0.18) -> tuple[VGroup, VMobject, VMobject]:
        """The activation's name, layer k's factor and the running product: each a label and a slot that
        the updater fills with the plan's text ("= 1", "\\approx 0.235", "\\approx 3.75 \\cdot 10^{-20}")."""
        act = ACT_TEX[chain.chain.activation]
        title = words(self, chain.chain.activation, size=FONT_TEXT, colour=colour)
        rows, slots = [], []
        layers = range(1, len(chain.layers) + 1)
        for label_tex, texts in ((rf"w\,{act}'(z_k)", [chain.factor_readout(k) for k in layers]),
                                 (r"\partial h_k/\partial h_0", [chain.gradient_readout(k) for k in layers])):
            label = self.math(label_tex, size=FONT_TICK)
            # laid out holding its longest text, so no layer's number runs past the frame or a neighbour
            longest = max(texts, key=len)
            slot = VMobject(fill_color=self.theme.text, fill_opacity=1.0, stroke_width=0)
            slot.set_points(_outline_points(self.readout_tex(longest)))
            slot.next_to(label, RIGHT, buff=0.12)
            self.slot_scale[id(slot)] = (label, label.height)
            self.slot_text[id(slot)] = longest
            rows.append(VGroup(label, slot))
            slots.append(slot)
        column = VGroup(title, *rows).arrange(DOWN, buff=gap, aligned_edge=LEFT)
        return column, slots[0], slots[1]

    def readout_tex(self, tex: str) -> Mobject:
        """One readout's number, typeset once per text (the updater asks for each layer's every frame)."""
        if tex not in self.readout_cache:
            self.readout_cache[tex] = self.math(tex, size=FONT_TICK)
        return self.readout_cache[tex]

    def show_readout(self, slot: VMobject, tex: str) -> None:
        """Write tex's outlines into the slot (one VMobject, so manim's redrawing sees the same object),
        its left edge and bottom where the slot's number was, scaled as the layout scaled the readouts."""
        if self.slot_text.get(id(slot)) == tex:
            return
        self.slot_text[id(slot)] = tex
        label, height = self.slot_scale[id(slot)]
        points = _outline_points(self.readout_tex(tex)) * (label.height / height)
        left, bottom = slot.get_left()[0], slot.get_bottom()[1]
        points += np.array([left - points[:, 0].min(), bottom - points[:, 1].min(), 0.0])
        slot.set_points(points)

    def legend(self) -> VGroup:
        """Thick line: the running product; thin line: each layer's factor."""
        theme = self.theme
        thick = Line(ORIGIN, RIGHT * 0.5, color=theme.text, stroke_width=theme.stroke(4))
        thin = Line(ORIGIN, RIGHT * 0.5, color=theme.text, stroke_width=theme.stroke(2), stroke_opacity=FACTOR_OPACITY)
        rows = [VGroup(thick, words(self, "product", size=FONT_TICK)).arrange(RIGHT, buff=0.15),
                VGroup(thin, self.math(r"\text{factor of layer } k", size=FONT_TICK)).arrange(RIGHT, buff=0.15)]
        return VGroup(*rows).arrange(RIGHT, buff=0.45)

    def product_points(self, chain: ChainView) -> np.ndarray:
        """(k, log10 |d h_k / d h_0|) up to the last nonzero product."""
        logs = chain.log10_gradients
        last = len(logs) if None not in logs else logs.index(None)
        return np.array([[k, logs[k]] for k in range(last)], dtype=float)

    def factor_points(self, chain: ChainView) -> np.ndarray:
        """(k, log10 |factor_k|) for k >= 1, clamped to the axis' foot where a factor is 0."""
        low = self.plan.log_range[0]
        values = [layer.log10_abs_factor for layer in chain.layers]
        return np.array([[k + 1, max(low, v) if v is not None else low] for k, v in enumerate(values)], dtype=float)

    def dead_mark(self, axes: Axes, chain: ChainView, colour: str) -> list[Mobject]:
        """Where a product hits exactly 0 (a relu below 0): a drop to the axis foot and a note."""
        if chain.dead_at is None:
            return []
        k = chain.dead_at
        last = chain.log10_gradients[k - 1] or 0.0
        low = self.plan.log_range[0]
        drop = DashedLine(axes.c2p(k - 1, last), axes.c2p(k, low), color=colour, stroke_width=self.theme.stroke(3))
        label = words(self, f"exactly 0 from layer {k}: dead {chain.chain.activation}", size=FONT_TICK, colour=colour)
        label.next_to(axes.c2p(k, low), UP, buff=0.3)
        if label.get_right()[0] > axes.get_right()[0]:
            label.align_to(axes, RIGHT)
        return [drop, label]

    def story(self) -> str:
        return self.plan.story()

    def remedy_note(self, four_lines: bool) -> VGroup:
        """The remedy under the plot, words and formulas typeset together: one part a line, or two a line."""
        parts = REMEDY_TEX_PARTS
        lines = parts if four_lines else (r"\ ".join(parts[:2]), r"\ ".join(parts[2:]))
        rows = [self.math(line, size=FONT_TICK, colour=self.theme.muted) for line in lines]
        return VGroup(*rows).arrange(DOWN, buff=0.12, aligned_edge=LEFT)


def _outline_points(mobject: Mobject) -> np.ndarray:
    """Every glyph outline of a formula as one point array (a VMobject draws each as its own subpath)."""
    return np.concatenate([m.points for m in mobject.family_members_with_points()]).copy()


def _upto(points: np.ndarray, t: float) -> np.ndarray:
    """The polyline through points with x <= t, ending at the point interpolated at x = t."""
    if len(points) == 0:
        return np.zeros((0, 2))
    inside = points[points[:, 0] <= t]
    if len(inside) == len(points) or len(inside) == 0:
        return inside
    a, b = inside[-1], points[len(inside)]
    s = (t - a[0]) / (b[0] - a[0])
    return np.vstack([inside, a + s * (b - a)])
