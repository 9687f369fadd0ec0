"""little-o: as eps shrinks, the tangent's error r(eps) shrinks faster than eps (r/eps -> 0);
an approximation off by a constant or a wrong slope keeps (or blows up) its ratio."""

from __future__ import annotations

import numpy as np
from collections.abc import Callable

from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, Dot, FadeIn, Mobject, UpdateFromAlphaFunc, VGroup, VMobject, Write, linear

from calcanim.number_format import decimal_label
from calcanim.numerics.tangent_line import tick_values
from calcanim.params.little_o import LittleOParams
from calcanim.plans.little_o import ENDING_SECONDS, HOLD_SECONDS, INTRO_SECONDS, LittleOPlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed


class LittleOScene(FrameTimed, CalcanimScene[LittleOParams, LittleOPlan]):
    """r(eps)/eps for the tangent (to 0) beside an offset approximation's ratio (not to 0)."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw, fh = self.frame_width, self.frame_height
        title = self.math(r"r(\varepsilon) = f(x_0+\varepsilon) - f(x_0) - f'(x_0)\,\varepsilon", size=FONT_TITLE)
        subtitle = self.math(f"f(x) = {pl.function_tex},\\quad x_0 = {pl.x0_label}", size=FONT_LABEL, colour=theme.muted)
        header = VGroup(title, subtitle).arrange(DOWN, buff=0.2).to_edge(UP, buff=MARGIN)
        if header.width > fw - 2 * MARGIN:
            header.scale_to_fit_width(fw - 2 * MARGIN)
        top = header.get_bottom()[1] - 0.4
        bottom = -fh / 2 + MARGIN + 0.5
        stacked = self.portrait or fw / fh < 1.2
        if stacked:
            graph_w, graph_h = fw - 2 * MARGIN - 1.0, (top - bottom) * 0.48
            graph_centre = np.array([0.3, top - graph_h / 2, 0.0])
            panel_w = fw - 2 * MARGIN
        else:
            graph_w, graph_h = fw * 0.5, top - bottom
            graph_centre = np.array([-fw / 2 + MARGIN + 0.9 + graph_w / 2, (top + bottom) / 2, 0.0])
            panel_w = fw / 2 - MARGIN - (graph_centre[0] + graph_w / 2 + 0.5)

        u0, u1 = pl.u_range
        y0, y1 = pl.y_range
        axes = Axes(
            x_range=(u0, u1, u1 - u0),
            y_range=(y0, y1, y1 - y0),
            x_length=graph_w,
            y_length=graph_h,
            tips=False,
            axis_config={"color": theme.axis, "stroke_width": theme.stroke(2), "include_ticks": False},
        ).move_to(graph_centre)
        for row, u in zip(pl.rows, pl.stops, strict=True):
            axes.add(self.math(row.eps_tex, size=FONT_SMALL, colour=theme.muted).next_to(axes.c2p(u, max(y0, 0.0)), DOWN, buff=0.15))
        for y in tick_values(y0, y1, 4):
            if y != 0.0:
                axes.add(self.math(decimal_label(y, 4), size=FONT_SMALL, colour=theme.muted).next_to(axes.c2p(u0, y), LEFT, buff=0.15))
        eps_axis_label = self.math(r"\varepsilon \to 0", size=FONT_LABEL, colour=theme.muted)
        eps_axis_label.next_to(axes.c2p(u1, max(y0, 0.0)), DOWN, buff=0.55).align_to(axes.x_axis, RIGHT)
        axes.add(eps_axis_label)

        good_label = self.math(r"\frac{r(\varepsilon)}{\varepsilon}", size=FONT_BODY, colour=theme.good)
        bad_label = self.math(f"\\frac{{r(\\varepsilon) + {pl.bad_error_tex}}}{{\\varepsilon}}", size=FONT_BODY, colour=theme.bad)
        table, rows = self.ratio_table(good_label, bad_label)
        if table.width > panel_w:
            table.scale_to_fit_width(panel_w)
        if stacked:
            table.next_to(axes, DOWN, buff=0.9).set_x(0)
        else:
            table.move_to([fw / 2 - MARGIN - panel_w / 2, (top + bottom) / 2 + 0.4, 0])

        if pl.bad_leaves_plot():
            escape = self.math(r"\to \infty", size=FONT_LABEL, colour=theme.bad)
            escape.next_to(axes.c2p(u0, y1), RIGHT, buff=0.6).shift(DOWN * 0.1)
            axes.add(escape)
        good_dot = Dot(axes.c2p(u0, pl.good_curve[0]), radius=0.08, color=theme.good).set_z_index(3)
        bad_dot = Dot(radius=0.08, color=theme.bad).set_z_index(3)
        bad_dot.move_to(axes.c2p(u0, min(pl.bad_curve[0], y1)))

        self.caption(
            "The tangent's error r(eps) is what is left after the linear approximation. "
            "Compare it with eps: look at r(eps)/eps.",
            INTRO_SECONDS,
        )
        self.timed_play(INTRO_SECONDS * 0.6, Write(header), Create(axes))
        self.timed_play(INTRO_SECONDS * 0.4, FadeIn(table[0]), FadeIn(good_dot), FadeIn(bad_dot))

        self.caption(
            f"Shrink eps. r(eps)/eps falls to 0, while the approximation off by {self.plain(pl.bad_error_tex)} "
            + ("keeps a ratio near " + decimal_label(p.slope_offset, 3) if p.value_offset == 0 else "has a ratio that blows up")
            + ".",
            pl.shrink_seconds,
        )
        segment_seconds = p.seconds / max(1, len(pl.rows) - 1)
        self.timed_play(HOLD_SECONDS, FadeIn(rows[0]))
        for row, (u_from, u_to) in zip(rows[1:], zip(pl.stops, pl.stops[1:]), strict=True):
            pieces = [self.piece(axes, "good", u_from, u_to), self.piece(axes, "bad", u_from, u_to)]
            moves = [
                Create(piece, rate_func=linear) for piece in pieces if piece is not None
            ]
            for dot, which in ((good_dot, "good"), (bad_dot, "bad")):
                moves.append(UpdateFromAlphaFunc(dot, self.glide(axes, which, u_from, u_to), rate_func=linear))
            self.timed_play(segment_seconds, *moves)
            self.timed_play(HOLD_SECONDS, FadeIn(row))

        good_verdict = self.math(
            r"r(\varepsilon) = o(\varepsilon)" if pl.remainder_is_little_o else r"r(\varepsilon) \ne o(\varepsilon)",
            size=FONT_BODY,
            colour=theme.good,
        )
        bad_verdict = self.math(
            f"r(\\varepsilon) + {pl.bad_error_tex}" + (r" = o(\varepsilon)" if pl.bad_is_little_o else r" \ne o(\varepsilon)"),
            size=FONT_BODY,
            colour=theme.bad,
        )
        verdicts = VGroup(good_verdict, bad_verdict).arrange(DOWN, buff=0.2).next_to(table, DOWN, buff=0.45)
        if verdicts.width > panel_w:
            verdicts.scale_to_fit_width(panel_w)
        self.caption(
            "So the tangent's error is little-o of eps: it vanishes faster than eps itself. "
            "Any other line's error does not. That is what makes the tangent the best linear approximation.",
            ENDING_SECONDS,
        )
        self.timed_play(1.0, FadeIn(verdicts))
        self.timed_wait(ENDING_SECONDS - 1.0)

    def glide(self, axes: Axes, which: str, u_from: float, u_to: float) -> Callable[[Mobject, float], None]:
        """Keep a dot on its curve at the u that Create has reached (both linear in u); hidden above the plot."""
        pl = self.plan

        def place(dot: Mobject, alpha: float) -> None:
            u, y = pl.point_at(which, u_from + alpha * (u_to - u_from))
            inside = pl.y_range[0] <= y <= pl.y_range[1]
            dot.move_to(axes.c2p(u, min(max(y, pl.y_range[0]), pl.y_range[1])))
            dot.set_opacity(1.0 if inside else 0.0)

        return place

    def piece(self, axes: Axes, which: str, u_from: float, u_to: float) -> VMobject | None:
        points = self.plan.curve_points(which, u_from, u_to)
        if len(points) < 2:
            return None
        colour = self.theme.good if which == "good" else self.theme.bad
        curve = VMobject(color=colour, stroke_width=self.theme.stroke(4))
        curve.set_points_as_corners([axes.c2p(u, y) for u, y in points])
        return curve

    def ratio_table(self, good_label: VGroup, bad_label: VGroup) -> tuple[VGroup, list[VGroup]]:
        theme, pl = self.theme, self.plan
        cells = [self.math(r"\varepsilon", size=FONT_BODY, colour=theme.muted), good_label, bad_label]
        for row in pl.rows:
            cells += [
                self.math(row.eps_tex, size=FONT_LABEL),
                self.math(row.good_tex, size=FONT_LABEL, colour=theme.good),
                self.math(row.bad_tex, size=FONT_LABEL, colour=theme.bad),
            ]
        VGroup(*cells).arrange_in_grid(rows=len(pl.rows) + 1, cols=3, buff=(0.6, 0.2))
        rows = [VGroup(*cells[3 * i + 3 : 3 * i + 6]) for i in range(len(pl.rows))]
        return VGroup(VGroup(*cells[:3]), *rows), rows

    @staticmethod
    def plain(tex: str) -> str:
        return tex.replace("\\varepsilon", "eps").replace(" ", "")

