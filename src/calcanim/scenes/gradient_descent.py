"""gradient-descent: optimizer runs at several learning rates on a loss surface, in 3D (ball rolling,
camera turning), as contours from above (an arrow per step), or both, with a loss-per-step inset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    FadeIn,
    Line,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from calcanim.number_format import number_text
from calcanim.numerics.projection import Box
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.plans.gradient_descent import (
    ENDING_SECONDS,
    INTRO_SECONDS,
    GradientDescentPlan,
    RunPlan,
)
from calcanim.raster.contour import ContourRenderer
from calcanim.raster.items import ArrowSegment, CrossMark, Disc, DrawItem, Segment
from calcanim.raster.manim_view import RasterCamera, RasterView, mix, rgb, surface_style
from calcanim.raster.surface import Ball, Cross, Overlay, Polyline, SurfaceRenderer
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, FONT_SMALL, FONT_TITLE, CalcanimScene
from calcanim.scenes.base import MARGIN_3D as MARGIN
from calcanim.style.rect import Rect

@dataclass(frozen=True)
class PanelLayout:
    header: Rect
    views: list[Rect]
    legend: Rect
    inset: Rect


def clip_layout(frame_width: float, frame_height: float, view_count: int, header_height: float = 1.15) -> PanelLayout:
    """Header on top. A single view in a wide frame gets a side panel (legend over inset); otherwise the
    views sit over a strip holding the legend and the inset (side by side unless the frame is portrait)."""
    W, H = frame_width, frame_height
    header = Rect(0.0, H / 2 - MARGIN - header_height / 2, W - 2 * MARGIN, header_height)
    body_top, body_bottom = header.top - header_height - 0.1, -H / 2 + MARGIN
    body_h = body_top - body_bottom
    if W / H >= 1.5 and view_count == 1:
        panel_w = W * 0.31
        views_w = W - 2 * MARGIN - panel_w - 0.25
        views = Rect(-W / 2 + MARGIN + views_w / 2, (body_top + body_bottom) / 2, views_w, body_h)
        panel = Rect(W / 2 - MARGIN - panel_w / 2, views.cy, panel_w, views.height)
        legend, inset = panel.split(2, horizontal=False, gap=0.3)
        return PanelLayout(header, [views], legend, inset)
    side_by_side = W >= H
    strip_h = body_h * (0.3 if side_by_side else 0.34)
    views_h = body_h - strip_h - 0.25
    views = Rect(0.0, body_top - views_h / 2, W - 2 * MARGIN, views_h)
    strip = Rect(0.0, body_bottom + strip_h / 2, W - 2 * MARGIN, strip_h)
    if side_by_side:
        legend_w = strip.width * 0.58
        legend = Rect(strip.left + legend_w / 2, strip.cy, legend_w, strip.height)
        inset_w = strip.width - legend_w - 0.3
        inset = Rect(strip.left + strip.width - inset_w / 2, strip.cy, inset_w, strip.height)
    else:
        legend, inset = strip.split(2, horizontal=False, gap=0.25)
    return PanelLayout(header, views.split(view_count, horizontal=side_by_side and view_count > 1), legend, inset)


class GradientDescentScene(CalcanimScene[GradientDescentParams, GradientDescentPlan]):
    """Optimizer runs at several learning rates riding down a loss surface."""

    default_camera = RasterCamera

    def construct(self) -> None:
        p, pl = self.params, self.plan
        names = {"surface": ["surface"], "contour": ["contour"], "both": ["surface", "contour"]}[p.view]
        layout = clip_layout(self.frame_width, self.frame_height, len(names))
        self.pixel_scale = self.camera.pixel_height / 480 if not self.portrait else self.camera.pixel_width / 480
        self.clock = ValueTracker(0.0)

        header = self.make_header(layout.header)
        views: list[Mobject] = []
        for name, rect in zip(names, layout.views):
            views += self.make_surface_view(rect) if name == "surface" else self.make_contour_view(rect)
        legend, statuses = self.make_legend(layout.legend)
        inset = self.make_inset(layout.inset)
        self.add(*views)

        self.caption(*pl.captions[0])
        self.play(
            self.clock.animate.set_value(INTRO_SECONDS), FadeIn(header), FadeIn(legend), FadeIn(inset),
            run_time=INTRO_SECONDS, rate_func=linear,
        )
        self.caption(*pl.captions[1])
        elapsed = 0.0
        for seconds, run in pl.status_reveal_times():
            if seconds > elapsed + 1e-9:
                self.play(self.clock.animate.set_value(INTRO_SECONDS + seconds), run_time=seconds - elapsed, rate_func=linear)
                elapsed = seconds
            self.add(statuses[run.index])
        if pl.descent_seconds > elapsed + 1e-9:
            self.play(
                self.clock.animate.set_value(INTRO_SECONDS + pl.descent_seconds),
                run_time=pl.descent_seconds - elapsed, rate_func=linear,
            )
        self.caption(*pl.captions[2])
        self.play(self.clock.animate.set_value(pl.duration), run_time=ENDING_SECONDS, rate_func=linear)

    # -- time -----------------------------------------------------------------------------------------
    def step_now(self) -> float:
        return self.plan.step_at(self.clock.get_value() - INTRO_SECONDS)

    def stroke(self, width: float) -> float:
        """A stroke width in video pixels, the same share of the frame at every quality."""
        return self.theme.stroke(width) * self.pixel_scale

    # -- header, legend, inset --------------------------------------------------------------------------
    def make_header(self, rect: Rect) -> VGroup:
        title = self.text(self.plan.title, size=FONT_TITLE)
        rule = self.math(self.plan.update_rule_tex, size=FONT_BODY, colour=self.theme.muted)
        header = VGroup(title, rule).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        if header.width > rect.width:
            header.scale_to_fit_width(rect.width)
        if header.height > rect.height:
            header.scale_to_fit_height(rect.height)
        header.move_to(rect.centre).align_to(np.array([rect.left, 0, 0]), LEFT)
        return header

    def make_legend(self, rect: Rect) -> tuple[VGroup, list[Mobject]]:
        theme = self.theme
        rows, statuses = [], []
        for run in self.plan.runs:
            colour = theme.run_colour(run.index)
            swatch = Line(LEFT * 0.25, RIGHT * 0.25, color=colour, stroke_width=theme.stroke(6))
            label = self.text(run.label, size=FONT_LABEL, colour=colour)
            status_colour = {"diverged": theme.bad, "converged": theme.good}.get(run.run.status, theme.muted)
            status = self.text(run.status_text, size=FONT_SMALL, colour=status_colour)
            top = VGroup(swatch, label).arrange(RIGHT, buff=0.15)
            status.next_to(label, DOWN, aligned_edge=LEFT, buff=0.08)
            rows.append(VGroup(top, status))
            statuses.append(status)
        legend = VGroup(*rows)
        if len(rows) > 3 and rect.width > 1.6 * rect.height:
            legend.arrange_in_grid(cols=2, buff=(0.45, 0.2), cell_alignment=LEFT)
        else:
            legend.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        if legend.width > rect.width or legend.height > rect.height:
            legend.scale(min(rect.width / legend.width, rect.height / legend.height))
        legend.move_to(rect.centre).align_to(np.array([rect.left, 0, 0]), LEFT)
        for row in rows:  # the status line keeps its place but shows when the run is decided
            row.remove(row[1])
        return legend, statuses

    def make_inset(self, rect: Rect) -> VGroup:
        theme, pl = self.theme, self.plan
        low, high = pl.inset_range
        low_text, high_text = pl.inset_tick_labels
        muted = theme.muted
        y_ticks = [self.text(high_text, size=FONT_SMALL, colour=muted), self.text(low_text, size=FONT_SMALL, colour=muted)]
        label_w = max(t.width for t in y_ticks) + 0.15
        label_h = y_ticks[0].height + 0.15
        axes = Axes(
            x_range=(0, self.params.steps, self.params.steps),
            y_range=(low, high, high - low),
            x_length=max(rect.width - label_w - 0.1, 1.0),
            y_length=max(rect.height - 2 * label_h - 0.1, 0.6),
            tips=False,
            axis_config={"color": theme.axis, "stroke_width": theme.stroke(2), "include_ticks": False},
        )
        axes.move_to(rect.centre).align_to(np.array([rect.left + label_w, 0, 0]), LEFT)
        axes.shift(UP * 0.0)
        y_ticks[0].next_to(axes.c2p(0, high), LEFT, buff=0.1)
        y_ticks[1].next_to(axes.c2p(0, low), LEFT, buff=0.1)
        loss_label = self.text("loss", size=FONT_SMALL, colour=muted).next_to(axes.c2p(0, high), UP, buff=0.08)
        loss_label.align_to(axes.c2p(0, high), LEFT)
        x_ticks = [
            self.text("0", size=FONT_SMALL, colour=muted).next_to(axes.c2p(0, low), DOWN, buff=0.08),
            self.text(str(self.params.steps), size=FONT_SMALL, colour=muted).next_to(axes.c2p(self.params.steps, low), DOWN, buff=0.08),
        ]
        step_label = self.text("step", size=FONT_SMALL, colour=muted).next_to(x_ticks[1], LEFT, buff=0.25)
        ticks = VGroup(*y_ticks, *x_ticks)
        curves = VGroup()
        for run in pl.runs:
            curve = VMobject(stroke_color=theme.run_colour(run.index), stroke_width=theme.stroke(3))
            curve.set_points_as_corners([axes.c2p(0, run.inset_curve[0, 1])] * 2)

            def follow(mob: VMobject, run: RunPlan = run) -> None:
                step = self.step_now()
                shown = run.inset_curve[run.inset_curve[:, 0] <= step]
                if len(shown) < len(run.inset_curve) and len(shown) > 0:
                    nxt = run.inset_curve[len(shown)]
                    prev = shown[-1]
                    t = (step - prev[0]) / (nxt[0] - prev[0]) if nxt[0] > prev[0] else 0.0
                    shown = np.vstack([shown, prev + t * (nxt - prev)])
                points = [axes.c2p(s, loss) for s, loss in shown]
                mob.set_points_as_corners(points if len(points) > 1 else points * 2)

            curve.add_updater(follow)
            curves.add(curve)
        return VGroup(axes, loss_label, step_label, ticks, curves)

    # -- the views ------------------------------------------------------------------------------------
    def make_surface_view(self, rect: Rect) -> list[Mobject]:
        theme, pl, p = self.theme, self.plan, self.params
        surface = pl.surface
        view = RasterView(rect.centre, rect.width, rect.height, rgb(theme.background))
        times = np.linspace(0.0, pl.duration, 25)
        renderer = SurfaceRenderer(
            grid=pl.grid,
            box=Box(surface.x_range, surface.y_range, surface.z_range),
            pixel_size=view.pixel_size,
            phi=p.camera_phi,
            thetas=np.array([pl.camera_theta_at(t) for t in times]),
            style=surface_style(theme, self.pixel_scale),
        )
        colours = [rgb(theme.run_colour(r.index)) for r in pl.runs]
        outline = rgb(theme.background)
        bad = rgb(theme.bad)

        def overlays() -> list[Overlay]:
            step = self.step_now()
            items: list[Overlay] = []
            for run, colour in zip(pl.runs, colours):
                points, inside = run.samples_until(step)
                items.append(Polyline(points, inside, colour, self.stroke(3.0)))
                if run.run.status == "diverged" and step >= run.last_step:
                    items.append(Cross(run.last_inside, bad, self.stroke(5.0), self.stroke(3.0)))
                else:
                    point, ok = run.position_at(step)
                    if ok:
                        items.append(Ball(point, colour, self.stroke(6.5), outline))
            return items

        def redraw(mob: RasterView) -> None:
            mob.show(renderer.render(pl.camera_theta_at(self.clock.get_value()), overlays()))

        redraw(view)
        view.add_updater(redraw)
        return [view]

    def make_contour_view(self, rect: Rect) -> list[Mobject]:
        theme, pl, p = self.theme, self.plan, self.params
        surface = pl.surface
        label_room = 0.45
        image_rect = Rect(rect.cx + label_room / 2, rect.cy + label_room / 2, rect.width - label_room, rect.height - label_room)
        view = RasterView(image_rect.centre, image_rect.width, image_rect.height, rgb(theme.background))
        renderer = ContourRenderer(surface.x_range, surface.y_range, view.pixel_size, rgb(theme.background))
        style = surface_style(theme, self.pixel_scale)
        background = rgb(theme.background)
        bands = [
            mix(mix(style.low, style.high, t), background, 0.3) for t in np.linspace(0, 1, len(pl.levels) + 1)
        ]
        xs, ys, zs = pl.contour_grid
        renderer.draw_base(
            zs, bands, pl.levels, pl.level_segments,
            line_colour=mix(rgb(theme.text), background, 0.55), line_width=self.stroke(1.2),
            frame_colour=rgb(theme.axis),
        )
        colours = [rgb(theme.run_colour(r.index)) for r in pl.runs]
        bad, good, outline = rgb(theme.bad), rgb(theme.good), rgb(theme.background)
        minima = [renderer.pixel(mx, my) for mx, my in surface.minima if surface.contains(mx, my)]

        def items() -> list[DrawItem]:
            step = self.step_now()
            drawn: list[DrawItem] = [CrossMark(m, good, self.stroke(3.0), self.stroke(1.6)) for m in minima]
            for run, colour in zip(pl.runs, colours):
                points = run.run.points
                whole = min(int(np.floor(step)), len(points) - 1)
                pixels = renderer.pixel(points[:, 0], points[:, 1])
                for k in range(whole):
                    if p.step_arrows:
                        drawn.append(ArrowSegment(pixels[k], pixels[k + 1], colour, self.stroke(2.2)))
                    else:
                        drawn.append(Segment(pixels[k], pixels[k + 1], colour, self.stroke(2.2), False))
                if whole < len(points) - 1:
                    position, _ = run.position_at(step)
                    tip = renderer.pixel(position[0], position[1])
                    drawn.append(Segment(pixels[whole], tip, colour, self.stroke(2.2), False))
                    drawn.append(Disc(tip, colour, self.stroke(5.0), outline))
                else:
                    escape = run.escape_until(step)
                    if escape is not None:
                        a, b = (renderer.pixel(*xy) for xy in escape)
                        drawn.append(Segment(a, b, colour, self.stroke(2.2), True))
                    if run.run.status == "diverged" and step >= run.last_step:
                        drawn.append(CrossMark(renderer.pixel(*run.last_inside[:2]), bad, self.stroke(5.0), self.stroke(2.6)))
                    else:
                        drawn.append(Disc(pixels[-1], colour, self.stroke(5.0), outline))
            return drawn

        def redraw(mob: RasterView) -> None:
            mob.show(renderer.render(items()))

        redraw(view)
        view.add_updater(redraw)
        left, top, width, height = renderer.plot_rect
        corner_bl = view.to_scene((left, top + height))
        corner_tr = view.to_scene((left + width, top))
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        muted = theme.muted
        labels = VGroup(
            # the two labels at the bottom-left corner stand clear of each other: x0 right of it, y0 above it
            self.text(number_text(x0), size=FONT_SMALL, colour=muted).next_to(corner_bl, DOWN + RIGHT, buff=0.06),
            self.text(number_text(x1), size=FONT_SMALL, colour=muted).next_to([corner_tr[0], corner_bl[1], 0], DOWN, buff=0.06),
            self.text("x", size=FONT_SMALL, colour=muted).next_to([(corner_bl[0] + corner_tr[0]) / 2, corner_bl[1], 0], DOWN, buff=0.06),
            self.text(number_text(y0), size=FONT_SMALL, colour=muted).next_to(corner_bl, UP + LEFT, buff=0.06),
            self.text(number_text(y1), size=FONT_SMALL, colour=muted).next_to([corner_bl[0], corner_tr[1], 0], LEFT, buff=0.06),
            self.text("y", size=FONT_SMALL, colour=muted).next_to([corner_bl[0], (corner_bl[1] + corner_tr[1]) / 2, 0], LEFT, buff=0.06),
        )
        return [view, labels]
