"""limit-climb: a dot climbs a_n (default (1 + 1/n)^n) on a log-scaled n axis, tracing the curve behind it,
and parks against the limit; the a_n readout locks (turns green) once a_n stays that close to the limit."""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    Indicate,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from calcanim.params.limit_climb import LimitClimbParams
from calcanim.plans.limit_climb import ENDING_SECONDS, INTRO_SECONDS, Checkpoint, LimitClimbPlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_TITLE, CalcanimScene
from calcanim.scenes.graph_axes import keep_redrawn, stop_redrawing

#: Nothing is drawn closer to the frame's edge than this fraction of its width (height).
EDGE_MARGIN = 0.035
#: Tick labels, mark labels and the limit label: digits ~0.17 units high, 2.1% of the 8-unit short side.
FONT_TICK = FONT_LABEL
#: A lone lowercase "n" is short: this size keeps it above 2% of the short side too.
FONT_AXIS_NAME = 36
#: The live readouts: a lone "n =" at this size is 2.1% of the short side high.
FONT_READOUT = 36
#: The power of ten in m \cdot 10^k: TeX's superscript size (0.7) of the readout's.
FONT_EXPONENT = 0.7 * FONT_READOUT
#: How far (units) a label keeps from the curve, the limit line and other labels.
CLEARANCE = 0.06


class LimitClimbScene(CalcanimScene[LimitClimbParams, LimitClimbPlan]):
    """a_n climbing to its limit as n runs from its first defined n to n_max."""

    def construct(self) -> None:
        theme, p, pl = self.theme, self.params, self.plan
        top = self.log_axis_top()
        axes = self.axes = self.make_axes(top)
        title = self.title = self.math(self.title_tex(pl.title_tex), size=FONT_TITLE)
        start = pl.log10_start
        log_n = self.log_n = ValueTracker(start)
        readouts, self.n_readout, self.a_readout = self.make_readouts()
        self.readouts = readouts
        self.place_header(title, readouts)

        # Through the plan's samples (evenly spaced in log n), so a share of the climb is the same share of it.
        full_curve = VMobject(color=theme.curve, stroke_width=theme.stroke(4))
        full_curve.set_points_smoothly([self.at(axes, t, v) for t, v in pl.numbers.curve])
        trace = VMobject(color=theme.curve, stroke_width=theme.stroke(4))
        trace.pointwise_become_partial(full_curve, 0.0, 0.0)
        limit = pl.numbers.limit
        limit_line = DashedLine(
            self.at(axes, 0, limit), self.at(axes, top, limit), color=theme.reference, stroke_width=theme.stroke(3)
        )
        curve_points = _dense_points(full_curve)
        self.obstacles = _Obstacles(
            curve_points, [limit_line, axes.get_x_axis(), axes.get_y_axis()], self.frame_width, self.frame_height
        )
        self.obstacles.take(*self.axis_labels, title, readouts)  # readouts at their widest
        # Laid out (and kept clear) for the widest values; now show where the climb starts.
        self.n_readout.set_value(pl.first_n)
        self.show_a(pl.first_n)
        limit_label = self.math(pl.limit_label_tex, size=FONT_TICK, colour=theme.reference)
        self.place_free(
            limit_label,
            [
                lambda m: m.next_to(self.at(axes, top, limit), UP, buff=0.15).align_to(limit_line, RIGHT),
                lambda m: m.next_to(self.at(axes, top, limit), DOWN, buff=0.15).align_to(limit_line, RIGHT),
                lambda m: m.next_to(self.at(axes, top / 2, limit), UP, buff=0.15),
                lambda m: m.next_to(self.at(axes, top / 2, limit), DOWN, buff=0.15),
            ],
        )
        dot = Dot(self.at(axes, start, pl.numbers.curve[0][1]), radius=0.09, color=theme.point)
        self.lock_note = self.math(
            rf"{pl.gap_tex} < {pl.lock_tolerance_tex}", size=FONT_TICK, colour=theme.good
        )
        self.lock_note.next_to(readouts, DOWN, buff=0.2, aligned_edge=LEFT)
        self.locked = False
        self.trace_from = 0.0
        self.trace_alpha = lambda: (log_n.get_value() - start) / (pl.log10_n_max - start) if pl.log10_n_max > start else 1.0

        def follow(_: object) -> None:
            t = log_n.get_value()
            alpha = (t - start) / (pl.log10_n_max - start) if pl.log10_n_max > start else 1.0
            trace.pointwise_become_partial(full_curve, self.trace_from, min(1.0, max(self.trace_from, alpha)))
            dot.move_to(trace.get_end() if trace.has_points() else self.at(axes, t, pl.numbers.curve[0][1]))
            n = pl.n_at_log10(t)
            if n != self.n_readout.number:
                self.n_readout.set_value(n)
                self.show_a(n)
            if pl.numbers.lock_n is not None and n >= pl.numbers.lock_n and not self.locked:
                self.fixed_readout.set_color(theme.good)
                if self.scientific is not None:
                    self.scientific[2].set_color(theme.good)
                self.locked = True

        self.follow = follow
        self.caption(self.intro_caption(), INTRO_SECONDS)
        self.play(Create(axes), Write(title), FadeIn(readouts), run_time=INTRO_SECONDS * 0.6)
        self.play(Create(limit_line), FadeIn(limit_label), FadeIn(dot), run_time=INTRO_SECONDS * 0.4)

        self.add(trace)
        dot.add_updater(follow)
        # follow() sets the readouts and the trace from the dot's updater: without updaters of their own,
        # manim would paint them into each play's frozen background and they would only jump at the stops.
        keep_redrawn(self.n_readout, self.a_slot, trace)
        # manim redraws every frame each mobject from the first moving one to the end of the scene's
        # list; keeping the moving ones last leaves the limit line's dashes and the marks in the frozen
        # background. The trace is redrawn from the last stop only (see climb()).
        self.trace = trace
        self.full_curve = full_curve
        self.moving_last: tuple[Mobject, ...] = (trace, readouts, dot)
        self.bring_to_front(*self.moving_last)
        self.climb(axes, log_n, top)
        dot.remove_updater(follow)
        stop_redrawing(self.n_readout, self.a_slot, trace)
        follow(None)

        self.caption(self.ending_caption(), ENDING_SECONDS)
        verdict = self.math(rf"\text{{the climb settles on }} {pl.limit_tex}", size=FONT_BODY, colour=theme.reference)
        self.place_free(
            verdict,
            [
                lambda m: m.next_to(limit_line, DOWN, buff=1.3).align_to(limit_line, RIGHT).shift(LEFT * 0.3),
                lambda m: m.next_to(limit_line, UP, buff=1.3).align_to(limit_line, RIGHT).shift(LEFT * 0.3),
                lambda m: m.next_to(axes, DOWN, buff=0.35),
            ],
            allow_below_axis=True,
        )
        # A pulse of the dot, not a Flash: a flash's rays would cross the limit's label beside the dot.
        self.play(Indicate(dot, color=theme.reference, scale_factor=1.8), FadeIn(verdict), run_time=1.0)
        self.wait(ENDING_SECONDS - 1.0)

    # --- words -----------------------------------------------------------------------------------

    def intro_caption(self) -> str:
        pl = self.plan
        first = pl.numbers.checkpoints[:2]
        said = "; ".join(f"at n = {c.n} it is {c.label}" for c in first)
        return f"a_n = {self.params.sequence.replace('**', '^')}. {said[0].upper()}{said[1:]}."

    def ending_caption(self) -> str:
        pl = self.plan
        where = {"below": " It stays below it.", "above": " It stays above it.", "both": ""}[pl.numbers.approach]
        digits = pl.limit_digits_tex.replace(r"\ldots", "...")
        named = "" if pl.limit_tex == pl.limit_digits_tex else f": the number {pl.limit_words}"
        return f"As n grows, a_n settles near {digits}{named}.{where}"

    # --- layout ----------------------------------------------------------------------------------

    def log_axis_top(self) -> float:
        """Right end of the log10(n) axis: whole decades, at least one."""
        return max(1.0, float(math.ceil(self.plan.log10_n_max - 1e-9)))

    def make_axes(self, top: float) -> Axes:
        theme, y = self.theme, self.plan.numbers.y
        width = self.frame_width * (0.74 if not self.portrait else 0.72)
        height = self.frame_height * (0.6 if not self.portrait else 0.42)
        step = 1.0 if top <= 8 else float(math.ceil(top / (8 if not self.portrait else 5)))
        # Heights are measured from the axis' foot, so manim draws the n axis there even when a_n crosses 0.
        axes = Axes(
            x_range=(0.0, top, step),
            y_range=(0.0, y.high - y.low, y.step),
            x_length=width,
            y_length=height,
            tips=False,
            axis_config={"color": theme.axis, "stroke_width": theme.stroke(2)},
        )
        for k in np.arange(0.0, top + 1e-9, step):
            label = self.math("1" if k == 0 else ("10" if k == 1 else f"10^{{{int(k)}}}"), size=FONT_TICK)
            label.next_to(axes.c2p(k, 0.0), DOWN, buff=0.2)
            axes.add(label)
        for value, text in zip(y.ticks, y.labels, strict=True):
            label = self.math(text, size=FONT_TICK)
            label.next_to(axes.c2p(0, value - y.low), LEFT, buff=0.2)
            axes.add(label)
        n_label = self.math("n", size=FONT_AXIS_NAME).next_to(axes.c2p(top, 0.0), RIGHT, buff=0.25)
        axes.add(n_label)
        if self.portrait:
            axes.move_to(DOWN * self.frame_height * 0.12)
        else:
            axes.to_edge(DOWN, buff=0.8)
        axes.shift(LEFT * axes.get_center()[0])  # centred across the frame, labels included
        self.axis_labels = [m for m in axes.submobjects if m not in (axes.x_axis, axes.y_axis)]
        return axes

    def at(self, axes: Axes, log10_n: float, value: float) -> np.ndarray:
        """The point (log10 n, a_n) on screen (the axes measure heights from their foot)."""
        return axes.c2p(log10_n, value - self.plan.numbers.y.low)

    def make_readouts(self) -> tuple[VGroup, Mobject, Mobject]:
        """The n = and a_n = readouts, laid out for their widest values (n_max, the widest a_n).

        Where a_n gets too small or large for fixed decimals, a second form m·10^k (same size as
        the formula beside it) takes the fixed one's place in the a_n row whenever the plan says so.
        """
        pl, p = self.plan, self.params
        n_readout = self.number(p.n_max, 0, size=FONT_READOUT, group_with_commas=True)
        shown = [pl.readout_shown(c.n) for c in pl.numbers.checkpoints] + [pl.readout_shown(p.n_max)]
        fixed = [v for v, power in shown if power is None and math.isfinite(v)] or [0.0]
        widest = max(fixed, key=lambda v: len(f"{v:.{p.decimals}f}"))
        a_readout = self.number(widest, p.decimals, size=FONT_READOUT)
        self.fixed_readout = a_readout
        self.scientific: tuple[Mobject, Mobject, VGroup] | None = None
        slot = VGroup(a_readout)
        if pl.scientific_readout:
            powers = [power for _, power in shown if power is not None] or [-9]
            widest_power = max(powers, key=lambda k: len(str(k)))
            negative = any(v < 0 for v, _ in shown)
            mantissa = self.number(-8.888 if negative else 8.888, pl.scientific_decimals, size=FONT_READOUT)
            times_ten = self.math(r"{}\cdot 10", size=FONT_READOUT)  # {}: a binary dot, spaced as in TeX
            power = self.number(widest_power, 0, size=FONT_EXPONENT)
            glyphs = times_ten[0]  # the dot, "1", "0": as much space before the dot as TeX leaves after it
            row = VGroup(mantissa, times_ten).arrange(RIGHT, buff=glyphs[1].get_left()[0] - glyphs[0].get_right()[0])
            power.next_to(times_ten, UR, buff=0.03).shift(DOWN * 0.14)
            scientific = VGroup(row, power)
            self.scientific = (mantissa, power, scientific)
            slot.add(scientific)  # laid out with both, to reserve the width of the wider
        a_row = VGroup(self.math("a_n =", size=FONT_READOUT), slot).arrange(RIGHT, buff=0.15)
        a_readout.set_y(a_row[0].get_y())  # as the fixed readout always sat beside "a_n ="
        if self.scientific is not None:
            mantissa, _, scientific = self.scientific
            scientific.align_to(a_readout, LEFT)
            scientific.shift(UP * (a_readout.get_y() - mantissa.get_y()))  # digits on the same line
        readouts = VGroup(VGroup(self.math("n =", size=FONT_READOUT), n_readout).arrange(RIGHT, buff=0.15), a_row)
        readouts.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.a_slot = slot
        return readouts, n_readout, a_readout

    def show_a(self, n: int) -> None:
        """Set the a_n readout to the plan's text at n, in the fixed or the m·10^k form."""
        value, power = self.plan.readout_shown(n)
        if power is None or self.scientific is None:
            self.fixed_readout.set_value(value)
            wanted: Mobject = self.fixed_readout
        else:
            mantissa, exponent, wanted = self.scientific
            mantissa.set_value(value)
            exponent.set_value(power)
        if self.a_slot.submobjects != [wanted]:
            self.a_slot.submobjects = [wanted]

    def shown_a_tex(self) -> str:
        """What the a_n readout shows now, as TeX (what the tests read back)."""
        if self.scientific is not None and self.a_slot.submobjects == [self.scientific[2]]:
            mantissa, exponent, _ = self.scientific
            return f"{mantissa._shown} \\cdot 10^{{{exponent._shown}}}"
        return str(self.fixed_readout._shown)

    def place_header(self, title: VGroup, readouts: VGroup) -> None:
        margin_x, margin_y = EDGE_MARGIN * self.frame_width, EDGE_MARGIN * self.frame_height
        if self.portrait:
            title.to_edge(UP, buff=max(0.9, margin_y))
            readouts.next_to(title, DOWN, buff=0.4)
            readouts.set_x(0.0)
        else:
            title.to_corner(UP + LEFT, buff=max(0.5, margin_x))
            readouts.to_corner(UP + RIGHT, buff=max(0.5, margin_x))

    def place_free(self, mobject: Mobject, placements: Sequence, allow_below_axis: bool = False) -> None:
        """Put mobject at the first placement where nothing crosses it (else the first one)."""
        for place in placements:
            place(mobject)
            if self.obstacles.clear(mobject):
                self.obstacles.take(mobject)
                return
        placements[0](mobject)
        self.obstacles.take(mobject)

    def climb(self, axes: Axes, log_n: ValueTracker, top: float) -> None:
        """Move through the stops in order, leaving each mark's value on screen as it is passed."""
        p, pl = self.params, self.plan
        begin, end = pl.log10_start, pl.log10_n_max
        speed = p.duration / (end - begin) if end > begin else p.duration
        self.caption("As n grows, the dot keeps climbing, ever more slowly.", p.duration)
        marks = {c.n: c for c in pl.numbers.checkpoints}
        fps = float(config.frame_rate)
        previous, frames_done = begin, 0
        for n in pl.stops:
            stop = math.log10(n)
            if stop > previous:
                # Legs end on whole frames of one timeline, so many stops add no time (manim rounds each
                # play up to whole frames; 1e-6 s keeps float noise from adding one).
                frames = round((stop - begin) * speed * fps) - frames_done
                if frames > 0:
                    self.play(log_n.animate.set_value(stop), run_time=frames / fps - 1e-6, rate_func=linear)
                    frames_done += frames
                else:
                    log_n.set_value(stop)
                previous = stop
                self.freeze_trace()
            if n in marks:
                point, label = self.mark(axes, stop, marks[n], top)
                self.add(point, *([label] if label is not None else []))
            if n == pl.numbers.lock_n:
                self.follow(None)
                self.add(self.lock_note)
            self.bring_to_front(*self.moving_last)
        if end == begin:
            self.wait(p.duration)

    def freeze_trace(self) -> None:
        """Leave the curve drawn so far in the still background (under the marks), and trace on from here."""
        done = self.trace.copy()
        stop_redrawing(done)
        self.add(done)
        self.bring_to_back(done)
        self.trace_from = min(1.0, max(0.0, self.trace_alpha()))

    def mark(self, axes: Axes, t: float, checkpoint: Checkpoint, top: float) -> tuple[Mobject, Mobject | None]:
        """A small dot at (n, a_n) with its value written where no curve, line or label crosses it."""
        point = Dot(self.at(axes, t, checkpoint.value), radius=0.05, color=self.theme.accent)
        label = self.math(checkpoint.label_tex, size=FONT_TICK, colour=self.theme.muted)
        order = [DOWN + RIGHT, UP + LEFT, DOWN + LEFT, UP + RIGHT, DOWN, UP, RIGHT, LEFT]
        if self.plan.numbers.approach == "above":
            order = [UP + RIGHT, DOWN + LEFT, UP + LEFT, DOWN + RIGHT, UP, DOWN, RIGHT, LEFT]
        if t > top - 0.6:
            order = [d for d in order if d[0] <= 0] + [d for d in order if d[0] > 0]
        for buff in (0.1, 0.3, 0.6):
            for direction in order:
                label.next_to(point, direction, buff=buff)
                if self.obstacles.clear(label, inside=axes):
                    self.obstacles.take(label)
                    return point, label
        return point, None  # no free spot: the value stays unwritten rather than struck through


def _dense_points(curve: VMobject, per_curve: int = 6) -> np.ndarray:
    """Points along a bezier path, per_curve per segment (for crossing tests)."""
    found: list[np.ndarray] = []
    for i in range(curve.get_num_curves()):
        bezier = curve.get_nth_curve_function(i)
        found.extend(bezier(a) for a in np.linspace(0.0, 1.0, per_curve, endpoint=False))
    if curve.get_num_curves():
        found.append(curve.get_end())
    return np.array(found) if found else np.zeros((0, 3))


class _Obstacles:
    """What labels must not touch: the curve, the limit line, the frame margin and labels already placed."""

    def __init__(self, curve_points: np.ndarray, lines: list[Mobject], frame_width: float, frame_height: float) -> None:
        self.curve_points = curve_points
        # straight lines (the limit line, the two axes) by their bounding boxes: thin boxes
        self.line_boxes = [
            (line.get_left()[0], line.get_right()[0], line.get_bottom()[1], line.get_top()[1]) for line in lines
        ]
        self.half_width = frame_width / 2 - EDGE_MARGIN * frame_width
        self.half_height = frame_height / 2 - EDGE_MARGIN * frame_height
        self.taken: list[Mobject] = []
        self.taken_boxes: list[tuple[float, float, float, float]] = []

    def clear(self, mobject: Mobject, inside: Mobject | None = None) -> bool:
        left, right = mobject.get_left()[0] - CLEARANCE, mobject.get_right()[0] + CLEARANCE
        bottom, top = mobject.get_bottom()[1] - CLEARANCE, mobject.get_top()[1] + CLEARANCE
        if left < -self.half_width or right > self.half_width or bottom < -self.half_height or top > self.half_height:
            return False
        if inside is not None:
            # inside the plot: right of the a_n axis and above the n axis
            if bottom < inside.get_x_axis().get_center()[1] or left < inside.get_y_axis().get_center()[0]:
                return False
        xs, ys = self.curve_points[:, 0], self.curve_points[:, 1]
        if np.any((xs > left) & (xs < right) & (ys > bottom) & (ys < top)):
            return False
        for x0, x1, y0, y1 in self.line_boxes:
            if left < x1 and right > x0 and bottom < y1 and top > y0:
                return False
        for other_left, other_right, other_bottom, other_top in self.taken_boxes:
            if left < other_right and other_left < right and bottom < other_top and other_bottom < top:
                return False
        return True

    def take(self, *mobjects: Mobject) -> None:
        """Reserve the space of mobjects that are placed and will not move."""
        for mobject in mobjects:
            self.taken.append(mobject)
            self.taken_boxes.append(
                (mobject.get_left()[0], mobject.get_right()[0], mobject.get_bottom()[1], mobject.get_top()[1])
            )
