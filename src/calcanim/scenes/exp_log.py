"""exp-log: e^x folds across y = x into ln x; ln lives only on x > 0; ln 1 = 0 and ln(e^k) = k."""

from __future__ import annotations

import numpy as np
from manim import (
    DL, DR, UL, DOWN, LEFT, PI, RIGHT, UP, UR, Create, DashedLine, Mobject, Dot, FadeIn, Polygon, Rotate,
    TransformFromCopy, VGroup, Write,
)

from calcanim.number_format import decimal_label
from calcanim.numerics.ticks import tick_values
from calcanim.params.exp_log import ExpLogParams
from calcanim.plans.exp_log import ExpLogPlan
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed
from calcanim.scenes.graph_axes import bare_axes


class ExpLogScene(FrameTimed, CalcanimScene[ExpLogParams, ExpLogPlan]):
    """e^x and ln x as mirror images across y = x, with the readouts ln 1 = 0 and ln(e^k) = k."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl = self.theme, self.plan
        fw, fh = self.frame_width, self.frame_height
        title = self.math(self.title_tex(r"\ln x \text{ undoes } e^x"), size=FONT_TITLE).to_edge(UP, buff=MARGIN)
        stacked = self.portrait or fw / fh < 1.2
        top = title.get_bottom()[1] - 0.3
        bottom = -fh / 2 + MARGIN
        colours = [theme.point, theme.reference, theme.reference, theme.text]
        panel_lines = [self.math(tex, size=FONT_BODY, colour=c) for tex, c in zip(pl.panel_tex, colours)]
        panel = VGroup(*panel_lines).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        if stacked and not self.portrait:  # a square frame: the four results two by two, the plot larger
            panel = VGroup(*panel_lines).arrange_in_grid(rows=2, cols=2, col_alignments="ll", buff=(0.8, 0.3))
        if stacked:
            share = 0.58 if self.portrait else 1.0  # tall frames keep room below; square ones give the plot all the panel leaves
            side = min(fw - 2 * MARGIN - 0.6, (top - bottom) * share, top - bottom - panel.height - PANEL_GAP - TICK_ROOM)
            centre = np.array([0.2, top - side / 2, 0.0])
        else:
            side = min(top - bottom, fw * 0.55)
            centre = np.array([-fw / 2 + MARGIN + 0.6 + side / 2, (top + bottom) / 2, 0.0])
        lo, hi = pl.window
        axes = bare_axes(theme, (lo, hi, lo, hi), side, side).move_to(centre)
        ticks: list[Mobject] = []
        for t in tick_values(lo, hi, 6):
            if t != 0.0:
                ticks.append(self.math(decimal_label(t, 3), size=FONT_SMALL, colour=theme.muted).next_to(axes.c2p(t, 0), DOWN, buff=0.12))
                ticks.append(self.math(decimal_label(t, 3), size=FONT_SMALL, colour=theme.muted).next_to(axes.c2p(0, t), LEFT, buff=0.12))
        axes.add(*ticks)

        diagonal = DashedLine(axes.c2p(lo, lo), axes.c2p(hi, hi), color=theme.muted, stroke_width=theme.stroke(2))
        diagonal_label = self.math("y = x", size=FONT_LABEL, colour=theme.muted)
        # Below the diagonal near its top end, its upper-left corner clear of the line by buff (equal axes:
        # the line is at 45 degrees). Only ln x lives below the diagonal, and far lower there.
        along = axes.c2p(hi - (hi - lo) * 0.12, hi - (hi - lo) * 0.12)
        reach = (diagonal_label.width + diagonal_label.height) / 2 + 0.15
        diagonal_label.move_to(along + np.array([reach / 2, -reach / 2, 0.0]))
        exp_curve = axes.plot(np.exp, x_range=(*pl.exp_x_range, 0.02), color=theme.curve, stroke_width=theme.stroke(4))
        ln_curve = axes.plot(np.log, x_range=(*pl.ln_x_range, 0.01), color=theme.accent, stroke_width=theme.stroke(4))
        exp_label = self.math("y = e^x", size=FONT_BODY, colour=theme.curve)
        exp_label.next_to(axes.c2p(*self.on_exp(hi * 0.5)), RIGHT, buff=0.3)
        ln_label = self.math(r"y = \ln x", size=FONT_BODY, colour=theme.accent)
        ln_label.next_to(axes.c2p(hi * 0.85, np.log(hi * 0.85)), DOWN + RIGHT * 0.1, buff=0.3)

        # the half-plane x <= 0 inside the plot, where ln is undefined
        forbidden = Polygon(
            axes.c2p(lo, lo), axes.c2p(0, lo), axes.c2p(0, hi), axes.c2p(lo, hi),
            stroke_width=0, fill_color=theme.bad, fill_opacity=0.14,
        )
        forbidden_label = VGroup(
            self.math(r"\ln x \text{ undefined}", size=FONT_SMALL, colour=theme.bad),
            self.math(r"\text{for } x \le 0", size=FONT_SMALL, colour=theme.bad),
        ).arrange(DOWN, buff=0.1)
        # Upper left: x < 0 (so off the diagonal, which is there only for y < 0) and above e^x (< 1 for x < 0),
        # clear of the y axis' tick labels.
        room = abs(axes.c2p(lo, 0)[0] - axes.c2p(0, 0)[0]) - 0.7
        forbidden_label.move_to(axes.c2p(lo, 0)).align_to(axes.c2p(lo, 0) + RIGHT * 0.1, LEFT)
        forbidden_label.set_y(axes.c2p(0, (1.5 + hi) / 2 + 0.5)[1])
        if forbidden_label.width > room:
            # Too wide for the strip (small plots): never smaller, but right against the y axis, between
            # its tick labels, reaching left past the plot's edge where the frame is empty.
            forbidden_label.align_to(axes.c2p(0, 0) + LEFT * 0.15, RIGHT)
            clear = [t for t in tick_values(lo, hi, 6) if t > 1.5]
            if len(clear) >= 2:
                forbidden_label.set_y(axes.c2p(0, (clear[-1] + clear[-2]) / 2)[1])

        if stacked:
            panel.next_to(axes, DOWN, buff=PANEL_GAP).set_x(0)
        else:
            right = axes.get_right()[0]
            panel.move_to([(right + fw / 2) / 2, centre[1], 0])
            if panel.width > fw / 2 - right - MARGIN:
                panel.scale_to_fit_width(fw / 2 - right - MARGIN)

        one_exp = Dot(axes.c2p(*pl.one_on_exp), radius=0.08, color=theme.point).set_z_index(3)
        one_ln = Dot(axes.c2p(*pl.one_on_ln), radius=0.08, color=theme.point).set_z_index(3)
        k_exp = Dot(axes.c2p(*pl.k_on_exp), radius=0.08, color=theme.reference).set_z_index(3)
        k_ln = Dot(axes.c2p(*pl.k_on_ln), radius=0.08, color=theme.reference).set_z_index(3)
        one_exp_label = self.math("(0, 1)", size=FONT_SMALL, colour=theme.point).next_to(one_exp, LEFT, buff=0.12)
        one_ln_label = self.math("(1, 0)", size=FONT_SMALL, colour=theme.point).next_to(one_ln, DOWN + RIGHT * 0.3, buff=0.12)
        k_exp_label = self.math(f"({pl.k_label},\\,e^{{{pl.k_label}}})", size=FONT_SMALL, colour=theme.reference)
        k_ln_label = self.math(f"(e^{{{pl.k_label}}},\\,{pl.k_label})", size=FONT_SMALL, colour=theme.reference)
        # Everything drawn that a label must not sit on: both curves, the diagonal, the axes, the mirror lines.
        ts = np.linspace(0.0, 1.0, 400)[:, None]
        drawn = np.concatenate([
            np.array([axes.c2p(x, np.exp(x)) for x in np.linspace(*pl.exp_x_range, 400)]),
            np.array([axes.c2p(x, np.log(x)) for x in np.linspace(*pl.ln_x_range, 400)]),
            axes.c2p(lo, lo) + ts * (axes.c2p(hi, hi) - axes.c2p(lo, lo)),
            axes.c2p(lo, 0) + ts * (axes.c2p(hi, 0) - axes.c2p(lo, 0)),
            axes.c2p(0, lo) + ts * (axes.c2p(0, hi) - axes.c2p(0, lo)),
            k_exp.get_center() + ts * (k_ln.get_center() - k_exp.get_center()),
            one_exp.get_center() + ts * (one_ln.get_center() - one_exp.get_center()),
        ])
        safe = (fw / 2 - EDGE_SHARE * fw, fh / 2 - EDGE_SHARE * fh)
        taken = [title, one_exp_label, diagonal_label, forbidden_label, *ticks]
        # The curves' labels: beside the curve at the first height where no line, no label and no edge is under them.
        place_along(exp_label, [axes.c2p(*self.on_exp(hi * f)) for f in (0.5, 0.4, 0.6, 0.3, 0.7, 0.8, 0.9)], [RIGHT, LEFT, UL], drawn, taken, safe)
        taken.append(exp_label)
        place_along(ln_label, [axes.c2p(x, np.log(x)) for x in hi * np.array([0.85, 0.75, 0.65, 0.95])], [DR, DOWN, DL, UL],
                    drawn, taken, safe)
        taken.append(ln_label)
        place_clear(one_ln_label, one_ln, [DR, DOWN, RIGHT, DL], drawn, taken, safe)
        taken.append(one_ln_label)
        place_clear(k_exp_label, k_exp, [LEFT, UL, DR, RIGHT, UR, DL, UP, DOWN], drawn, taken, safe)
        place_clear(k_ln_label, k_ln, [DR, RIGHT, DOWN, UR, DL, UL, LEFT, UP], drawn, [*taken, k_exp_label], safe)
        mirror_one = DashedLine(one_exp.get_center(), one_ln.get_center(), color=theme.point, stroke_width=theme.stroke(2))
        mirror_k = DashedLine(k_exp.get_center(), k_ln.get_center(), color=theme.reference, stroke_width=theme.stroke(2))

        self.caption("Here is e to the x, and the line y = x.", pl.seconds("intro") + pl.seconds("exp"))
        self.timed_play(pl.seconds("intro"), Write(title), Create(axes), Create(diagonal), FadeIn(diagonal_label))
        self.timed_play(pl.seconds("exp"), Create(exp_curve), FadeIn(exp_label))

        self.caption("Fold it across y = x: every point (a, b) lands on (b, a). The mirror image is ln x, the function that undoes e^x.", pl.seconds("mirror"))
        fold = exp_curve.copy()
        self.timed_play(
            pl.seconds("mirror") * 0.7,
            Rotate(fold, angle=PI, axis=np.array([1.0, 1.0, 0.0]), about_point=axes.c2p(0, 0)),
        )
        self.remove(fold)
        self.add(ln_curve)
        self.timed_play(pl.seconds("mirror") * 0.3, FadeIn(ln_label))

        self.caption("e^x is always positive, so ln only ever gets positive inputs: ln x is defined only for x > 0.", pl.seconds("domain"))
        self.timed_play(pl.seconds("domain") * 0.5, FadeIn(forbidden), FadeIn(forbidden_label))
        self.timed_wait(pl.seconds("domain") * 0.5)

        self.caption("e^0 = 1, so its mirror says ln 1 = 0.", pl.seconds("ln_one"))
        self.timed_play(pl.seconds("ln_one") * 0.4, FadeIn(one_exp), FadeIn(one_exp_label))
        self.timed_play(
            pl.seconds("ln_one") * 0.6,
            TransformFromCopy(one_exp, one_ln), Create(mirror_one), FadeIn(one_ln_label), FadeIn(panel_lines[0]),
        )

        self.caption(pl.power_caption, pl.seconds("ln_power"))
        self.timed_play(pl.seconds("ln_power") * 0.35, FadeIn(k_exp), FadeIn(k_exp_label), FadeIn(panel_lines[1]))
        self.timed_play(
            pl.seconds("ln_power") * 0.65,
            TransformFromCopy(k_exp, k_ln), Create(mirror_k), FadeIn(k_ln_label), FadeIn(panel_lines[2]),
        )
        self.caption("Whatever power you raise e to, ln reads it back: ln(e^k) = k.", pl.seconds("ending"))
        self.timed_play(pl.seconds("ending") * 0.4, FadeIn(panel_lines[3]))
        self.timed_wait(pl.seconds("ending") * 0.6)

    def on_exp(self, y: float) -> tuple[float, float]:
        """The point of e^x at height y (for placing its label)."""
        return self.plan.k_on_exp if y <= 0 else (float(np.log(y)), y)


#: Labels keep this share of the frame's width (left, right) and height (top, bottom) clear of its edge.
EDGE_SHARE = 0.035
#: Between the plot and the results under it (stacked frames), and room for the x tick labels.
PANEL_GAP = 0.6
TICK_ROOM = 0.4
#: How far from its point a label may go, nearest first (the last ones reach past an axis).
BUFFS = (0.12, 0.45, 0.9, 1.3)
#: How far from its point a label may go, nearest first (the last ones reach past an axis).


def place_clear(
    label: Mobject, dot: Mobject | np.ndarray, directions: list[np.ndarray], drawn: np.ndarray, taken: list[Mobject],
    safe: tuple[float, float] = (np.inf, np.inf),
) -> None:
    """Put label next to dot in the first direction where no drawn point and no other label is under it
    and it stays inside the safe half-extents ``safe`` (x, y) of the frame; if none is clear, where the
    fewest are (edges first, then other labels, then drawn points)."""
    place_along(label, [dot], directions, drawn, taken, safe)


def place_along(
    label: Mobject, anchors: list[Mobject | np.ndarray], directions: list[np.ndarray], drawn: np.ndarray,
    taken: list[Mobject], safe: tuple[float, float] = (np.inf, np.inf),
) -> None:
    """:func:`place_clear` over several anchors in turn (points along a curve, say)."""
    best: tuple[int, int, int, int] | None = None
    candidates = [(anchor, direction, buff) for anchor in anchors for buff in BUFFS for direction in directions]
    for index, (anchor, direction, buff) in enumerate(candidates):
        label.next_to(anchor, direction, buff=buff)
        low, high = label.get_corner(DL)[:2] - 0.04, label.get_corner(UR)[:2] + 0.04
        crossings = int(np.all((drawn[:, :2] >= low) & (drawn[:, :2] <= high), axis=1).sum())
        overlaps = sum(
            bool(np.all(other.get_corner(DL)[:2] <= high) and np.all(other.get_corner(UR)[:2] >= low)) for other in taken
        )
        outside = int(np.any(np.abs(low) > safe) or np.any(np.abs(high) > safe))
        if crossings == 0 and overlaps == 0 and outside == 0:
            return
        if best is None or (outside, overlaps, crossings) < best[:3]:
            best = (outside, overlaps, crossings, index)
    assert best is not None  # candidates is never empty
    anchor, direction, buff = candidates[best[3]]
    label.next_to(anchor, direction, buff=buff)
