"""descent-1d: gradient descent on a curve. A ball hops along y = f(x), each hop eta times the tangent's slope;
the step is an arrow on the x axis; one panel per learning rate (or all overlaid) and a log loss inset."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN, LEFT, RIGHT, UP, Axes, Dot, FadeIn, Line, Mobject, ValueTracker, VGroup, VMobject, linear,
)

from calcanim.numerics.projection import clip_segment_to_rectangle
from calcanim.numerics.ticks import tick_values
from calcanim.params.descent_1d import Descent1DParams
from calcanim.plans.descent_1d import ENDING_SECONDS, INTRO_SECONDS, Descent1DPlan, Run1D
from calcanim.number_format import decimal_label
from calcanim.scenes.base import FONT_TITLE, CalcanimScene
from calcanim.scenes.descent_parts import (
    FONT_LETTER, FONT_MIN, FONT_READ, InsetRun, PlotFrame, fit_into, live_rate, log_loss_inset, run_colours,
    descend_revealing, status_colour, status_glyph, step_counter,
)
from calcanim.scenes.frame_tools import place_segment, set_polyline
from calcanim.style.rect import Rect

FONT_LABEL, FONT_SMALL = FONT_READ, FONT_MIN

HOP = 0.12  # a hop rises this share of the panel height above the chord between two iterates


def detach(root: Mobject, mobject: Mobject) -> None:
    """Take ``mobject`` out of whichever group inside ``root`` holds it (it keeps its place on screen)."""
    for member in root.get_family():
        if mobject in member.submobjects:
            member.remove(mobject)


def panel_grid(count: int, portrait: bool) -> tuple[int, int]:
    """(rows, columns) of the side-by-side panels."""
    if portrait:
        return (count, 1) if count <= 3 else ((count + 1) // 2, 2)
    return (1, count) if count <= 3 else (2, (count + 1) // 2)


class Descent1DScene(CalcanimScene[Descent1DParams, Descent1DPlan]):
    """Runs at several learning rates hopping down one curve."""

    def construct(self) -> None:
        p, pl, theme = self.params, self.plan, self.theme
        W, H = self.frame_width, self.frame_height
        self.clock = ValueTracker(0.0)
        self.colours = run_colours(theme, len(pl.runs))

        mx, my, _ = self.edge
        header = self.make_header(W - 2 * mx)
        header.to_corner(UP + LEFT, buff=self.edge)
        counter = self.make_counter()
        counter.to_corner(UP + RIGHT, buff=self.edge)
        if counter.get_left()[0] < header.get_right()[0] + 0.3:
            counter.next_to(header, DOWN, aligned_edge=LEFT, buff=0.15)
        body_top = min(header.get_bottom()[1], counter.get_bottom()[1]) - 0.3
        body = Rect(0.0, (body_top + (-H / 2 + my)) / 2, W - 2 * mx, body_top - (-H / 2 + my))
        overlaid = p.layout == "overlaid"
        if self.portrait:
            strip_h = min(3.6, body.height * 0.3)
            panels_rect = body.top_part(body.height - strip_h - 0.35)
            strip = body.bottom_part(strip_h)
            legend_rect = strip.left_part(strip.width * 0.45) if overlaid else None
            inset_rect = strip.right_part(strip.width * 0.55 - 0.2) if overlaid else strip
        else:
            side = body.right_part(body.width * 0.3)
            panels_rect = body.left_part(body.width - side.width - 0.35)
            legend_rect = side.top_part(side.height * 0.4) if overlaid else None
            inset_h = min(side.height - (legend_rect.height + 0.35 if legend_rect else 0.0), 4.6)
            inset_rect = side.bottom_part(inset_h) if overlaid else side.top_part(inset_h)

        self.statuses: dict[int, Mobject] = {}
        if legend_rect is not None:
            panels = [self.make_panel(panels_rect, list(pl.runs))]
            legend = self.make_legend(legend_rect)
        else:
            rows, cols = panel_grid(len(pl.runs), self.portrait)
            row_rects = panels_rect.split(rows, horizontal=False, gap=0.3)
            rects = [cell for row in row_rects for cell in row.split(cols, horizontal=True, gap=0.35)]
            panels = [self.make_panel(rect, [run]) for rect, run in zip(rects, pl.runs)]
            legend = VGroup()
        statuses = [self.statuses[run.index] for run in pl.runs]
        inset = self.make_inset(inset_rect)
        static = VGroup(header, counter, legend, inset)
        self.add(*panels)

        self.caption(*pl.captions[0])
        self.play(self.clock.animate.set_value(INTRO_SECONDS), FadeIn(static), run_time=INTRO_SECONDS, rate_func=linear)
        self.caption(*pl.captions[1])
        reveals = sorted(
            (p.duration * (run.last_step + (1 if run.run.status == "diverged" else 0)) / p.steps
             if run.run.status == "diverged" else p.duration, run.index) for run in pl.runs
        )
        shown = [(seconds, statuses[index]) for seconds, index in reveals]
        descend_revealing(self, self.clock, INTRO_SECONDS, shown, p.duration)
        self.caption(*pl.captions[2])
        self.run_clock(self.clock, pl.duration, run_time=ENDING_SECONDS)

    def step_now(self) -> float:
        return self.plan.step_at(self.clock.get_value() - INTRO_SECONDS)

    # -- header, counter, legend, inset -------------------------------------------------------------------
    def make_header(self, width: float) -> VGroup:
        pl = self.plan
        title = self.math(self.title_tex(rf"\text{{Gradient descent on }} f(x) = {pl.function_tex}"), size=FONT_TITLE)
        lines = [title, self.math(pl.update_rule_tex, size=FONT_LABEL, colour=self.theme.muted)]
        if pl.schedule_tex:
            lines.append(self.math(pl.schedule_tex, size=FONT_LABEL, colour=self.theme.muted))
        header = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        limit = width * (0.72 if not self.portrait else 1.0)
        if header.width > limit:
            header.scale_to_fit_width(limit)
        return header

    def make_counter(self) -> VGroup:
        return step_counter(self, self.params.steps, self.step_now, FONT_LABEL)

    def run_label(self, run: Run1D, width: float = 100.0) -> tuple[VGroup, Mobject]:
        """'eta = 0.1' in the run's colour and its status word (shown later), with the live eta_k beside them when
        a schedule runs, or under them when the line would be wider than ``width``."""
        theme = self.theme
        colour = self.colours[run.index]
        label = self.math(run.label_tex, size=FONT_LABEL, colour=colour)
        status = self.math(rf"\text{{{run.status_word}}}", size=FONT_LABEL, colour=status_colour(theme, run.run.status))
        first = VGroup(label, status).arrange(RIGHT, buff=0.3)
        if self.params.schedule == "constant":
            return VGroup(first), status
        smallest = float(run.run.rates.min()) if run.run.rates is not None and len(run.run.rates) else 1.0
        rate = live_rate(self, run.rate_at, smallest, colour, FONT_LABEL, self.step_now)
        one_line = VGroup(label.copy(), rate.copy(), status.copy()).arrange(RIGHT, buff=0.3)
        if one_line.width <= width:
            return VGroup(VGroup(label, rate, status).arrange(RIGHT, buff=0.3)), status
        return VGroup(first, rate).arrange(DOWN, aligned_edge=LEFT, buff=0.1), status

    def make_legend(self, rect: Rect) -> VGroup:
        """The overlaid layout's legend: a swatch and the run label per run."""
        rows = []
        for run in self.plan.runs:
            swatch = Line(LEFT * 0.2, RIGHT * 0.2, color=self.colours[run.index], stroke_width=self.theme.stroke(6))
            label, status = self.run_label(run)
            rows.append(VGroup(swatch, label).arrange(RIGHT, buff=0.15))
            self.statuses[run.index] = status
        legend = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        fit_into(legend, np.array([rect.cx, rect.top - min(legend.height, rect.height * 0.45) / 2, 0]), rect.width,
                 rect.height * 0.45)
        for row in rows:
            detach(row, self.statuses[self.plan.runs[rows.index(row)].index])
        return legend

    def make_inset(self, rect: Rect) -> VGroup:
        pl = self.plan
        runs = [
            InsetRun(r.inset_curve, self.colours[r.index], r.run.status,
                     float(r.last_step + 1 if r.run.status == "diverged" else self.params.steps),
                     dashed=r.same_losses_as is not None)
            for r in pl.runs
        ]
        later = [r for r in pl.runs if r.same_losses_as is not None]
        notes = [(tex, self.colours[r.index]) for tex, r in zip(pl.same_loss_notes, later)]
        glyph_notes = [(pl.escape_note_tex, "diverged")] if pl.escape_note_tex else []
        return log_loss_inset(self, rect.centre, rect.width, rect.height, self.params.steps, pl.inset_range,
                              pl.inset_ticks, pl.inset_label_tex, runs, self.step_now, notes,
                              context_lines=pl.inset_context_lines, glyph_notes=glyph_notes)

    def curve_frame(self, rect: Rect) -> tuple[PlotFrame, VGroup, float]:
        """The panel's plot area, its axes (x at y = 0 when in range) with round ticks, and the x axis' height."""
        theme, pl = self.theme, self.plan
        (x0, x1), (y0, y1) = pl.x_range, pl.y_range
        probe = self.math("-0.00", size=FONT_SMALL)
        left_room, bottom_room = probe.width + 0.2, probe.height + 0.2
        frame = PlotFrame((x0, x1, y0, y1), rect.left + left_room, rect.cy - rect.height / 2 + bottom_room,
                          rect.width - left_room - 0.05, rect.height - bottom_room)
        oy = min(max(0.0, y0), y1)
        ox = min(max(0.0, x0), x1)
        style = {"color": theme.axis, "stroke_width": theme.stroke(2)}
        group = VGroup(Line(frame.c2p(x0, oy), frame.c2p(x1, oy), **style), Line(frame.c2p(ox, y0), frame.c2p(ox, y1), **style))
        for x in tick_values(x0, x1, 4 if rect.width > 3.5 else 3):
            if x == ox and y0 < oy:
                continue
            group.add(Line(frame.c2p(x, oy), frame.c2p(x, oy) + DOWN * 0.07, **style))
            group.add(self.math(decimal_label(x, 6), size=FONT_SMALL, colour=theme.muted).next_to(frame.c2p(x, y0), DOWN, buff=0.1))
        for y in tick_values(y0, y1, 3):
            if y == oy and x0 < ox:
                continue
            group.add(Line(frame.c2p(ox, y), frame.c2p(ox, y) + LEFT * 0.07, **style))
            group.add(self.math(decimal_label(y, 6), size=FONT_SMALL, colour=theme.muted).next_to(frame.c2p(x0, y), LEFT, buff=0.1))
        return frame, group, frame.c2p(0, oy)[1]

    # -- a panel: the curve, balls, tangents, arrows --------------------------------------------------------
    def make_panel(self, rect: Rect, runs: list[Run1D]) -> VGroup:
        theme, pl = self.theme, self.plan
        (x0, x1), (y0, y1) = pl.x_range, pl.y_range
        title = None
        if len(runs) == 1:
            title, status = self.run_label(runs[0], rect.width)
            fit_into(title, np.array([rect.cx, rect.top - title.height / 2, 0]), rect.width, title.height)
            detach(title, status)
            self.statuses[runs[0].index] = status
            rect = Rect(rect.cx, rect.cy - (title.height + 0.15) / 2, rect.width, rect.height - title.height - 0.15)
        axes, axis_group, axis_y = self.curve_frame(rect)
        curve = VMobject(stroke_color=theme.muted, stroke_width=theme.stroke(4))  # run colours stay for the runs
        finite = np.isfinite(pl.curve[:, 1]) & (pl.curve[:, 1] <= y1) & (pl.curve[:, 1] >= y0)
        parts, current = [], []
        for ok, point in zip(finite, pl.curve):
            if ok:
                current.append(point)
            elif current:
                parts.append(np.array(current))
                current = []
        if current:
            parts.append(np.array(current))
        set_polyline(curve, [part for part in parts if len(part) > 1],
                     lambda xy: np.array([axes.c2p(x, y) for x, y in xy]))
        group = VGroup(axis_group, curve) if title is None else VGroup(title, axis_group, curve)
        x_unit = (axes.c2p(x1, 0)[0] - axes.c2p(x0, 0)[0]) / (x1 - x0)
        y_unit = axes.height / (y1 - y0)
        for slot, run in enumerate(runs):
            colour = self.colours[run.index]
            xs, fs = run.xs, run.run.losses
            slopes = run.run.gradients[:, 0]
            exit_step = self.view_exit_step(run)
            trail = VGroup(*[
                Dot(axes.c2p(x, min(max(f, y0), y1)), radius=0.045, color=colour, fill_opacity=0.0).set_z_index(3)
                for x, f in zip(xs, fs)
            ])
            inside = [bool(x0 <= x <= x1) for x in xs]
            ball = Dot(axes.c2p(xs[0], fs[0]), radius=0.09, color=colour).set_z_index(4)
            ball.set_stroke(theme.background, width=theme.stroke(2), background=True)
            tangent = Line(LEFT, RIGHT, color=theme.text, stroke_width=theme.stroke(2.5)).set_z_index(2)
            arrow = VMobject(stroke_color=colour, fill_color=colour, fill_opacity=1.0, stroke_width=theme.stroke(4)).set_z_index(3)
            offset = 0.16 * (slot + 1) if len(runs) > 1 else 0.16
            # where the run leaves the plot: a cross, explained once under the loss plot (a word beside every
            # cross crowded the panel's axis)
            marker = status_glyph(theme, "diverged", 0.12, theme.stroke(4)).set_z_index(5)
            marker.set_stroke(opacity=0.0)

            def update(mob: Mobject, run: Run1D = run, xs: np.ndarray = xs, fs: np.ndarray = fs, slopes: np.ndarray = slopes,
                       ball: Dot = ball, tangent: Line = tangent, arrow: VMobject = arrow, marker: VGroup = marker,
                       offset: float = offset, exit_step: float | None = exit_step,
                       trail: VGroup = trail, inside: list[bool] = inside) -> None:
                step = self.step_now()
                for i, dot in enumerate(trail):  # the iterates visited so far stay as small dots
                    shown = 0.55 if (i <= step and inside[i]) else 0.0
                    if dot.get_fill_opacity() != shown:
                        dot.set_fill(opacity=shown)
                last = run.last_step
                limit = exit_step if exit_step is not None else float(last)
                shown_step = min(step, limit)
                k = min(int(shown_step), max(last - 1, 0))
                t = shown_step - k if last > 0 else 0.0
                if last == 0:
                    x, y = xs[0], fs[0]
                else:
                    x = xs[k] + t * (xs[k + 1] - xs[k])
                    # a hop: up to HOP of the panel, at most a third of the hop's width on screen
                    hop = min(HOP * axes.height, abs(xs[k + 1] - xs[k]) * x_unit / 3) / y_unit
                    y = (1 - t) * fs[k] + t * fs[k + 1] + 4 * t * (1 - t) * hop
                gone = exit_step is not None and step >= exit_step
                ball.move_to(axes.c2p(x, min(max(y, y0), y1)))
                ball.set_opacity(0.0 if gone else 1.0)
                # the tangent at the iterate the current step starts from; its slope times eta is the step
                kk = min(int(step), last)
                xa = xs[kk]
                # 1.1 units long on screen whatever the slope, and clipped to the plot
                half = 0.55 / float(np.hypot(x_unit, slopes[kk] * y_unit))
                ends = clip_segment_to_rectangle(
                    (xa - half, fs[kk] - half * slopes[kk]), (xa + half, fs[kk] + half * slopes[kk]), (x0, x1), (y0, y1)
                )
                if x0 <= xa <= x1 and not gone and ends is not None:
                    place_segment(tangent, axes.c2p(*ends[0]), axes.c2p(*ends[1]))
                    tangent.set_stroke(opacity=0.9)
                else:
                    tangent.set_stroke(opacity=0.0)
                # the step under way as an arrow on the x axis, clipped to the panel
                target = None
                if kk < last:
                    target = xs[kk + 1]
                elif run.run.escaped_to is not None and step < last + 1:
                    target = run.run.escaped_to[0]
                if target is None or step >= self.params.steps + 0.999 or gone:
                    arrow.set_points_as_corners([axes.c2p(xs[0], 0)] * 2)
                    arrow.set_stroke(opacity=0.0).set_fill(opacity=0.0)
                else:
                    start, end = np.clip(xa, x0, x1), np.clip(target, x0, x1)
                    y_screen = axis_y - offset
                    a, b = np.array([axes.c2p(start, 0)[0], y_screen, 0]), np.array([axes.c2p(end, 0)[0], y_screen, 0])
                    length = abs(b[0] - a[0])
                    head = min(0.14, length * 0.5)
                    direction = np.sign(b[0] - a[0]) or 1.0
                    base = b - RIGHT * direction * head
                    arrow.set_points_as_corners([a, base, base + UP * head * 0.55, b, base + DOWN * head * 0.55, base])
                    shown = 1.0 if length > 1e-3 else 0.0
                    arrow.set_stroke(opacity=shown).set_fill(opacity=shown)
                visible = 1.0 if gone else 0.0
                if marker.get_stroke_opacity() != visible:
                    marker.set_stroke(opacity=visible)

            if exit_step is not None:
                edge_x = x1 if run.run.escaped_to is None or self.exit_side(run) > 0 else x0
                edge_y = self.exit_height(run, exit_step)
                marker.move_to(axes.c2p(edge_x, min(max(edge_y, y0), y1)))
            ball.add_updater(update)
            update(ball)
            group.add(trail, tangent, arrow, ball, marker)
        return group

    def exit_side(self, run: Run1D) -> float:
        """+1 if the run escapes to the right, -1 to the left."""
        target = run.run.escaped_to[0] if run.run.escaped_to is not None else run.xs[-1]
        return 1.0 if target > (self.plan.x_range[0] + self.plan.x_range[1]) / 2 else -1.0

    def exit_height(self, run: Run1D, exit_step: float) -> float:
        """f at the edge where the run leaves the view (clipped to the drawn range by the caller)."""
        x0, x1 = self.plan.x_range
        edge = x1 if self.exit_side(run) > 0 else x0
        return float(self.plan.expression(edge))

    def view_exit_step(self, run: Run1D) -> float | None:
        """For a diverged run, the fractional step at which it first leaves the drawn x range; else None."""
        if run.run.status != "diverged":
            return None
        x0, x1 = self.plan.x_range
        path = list(run.xs) + ([run.run.escaped_to[0]] if run.run.escaped_to is not None else [])
        for k in range(len(path) - 1):
            a, b = path[k], path[k + 1]
            if not x0 <= b <= x1:
                edge = x1 if b > x1 else x0
                return k + (edge - a) / (b - a) if b != a else float(k)
        return float(run.last_step)
