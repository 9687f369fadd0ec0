"""gradient-descent: optimizer runs at several learning rates on a loss surface, in 3D (ball rolling,
camera turning), as contours from above (an arrow per step), or both, with a live step counter and a
loss-per-step inset on a log axis. A diverging run is drawn until it leaves the view, where a cross
marks its escape; every word and number is set in TeX (one type family)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Line, Mobject, ValueTracker, VGroup, linear

from calcanim.number_format import number_tex
from calcanim.numerics.projection import Box, clip_segment_to_rectangle
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.plans.gradient_descent import ENDING_SECONDS, INTRO_SECONDS, GradientDescentPlan
from calcanim.raster.contour import ContourRenderer
from calcanim.raster.items import RGB, ArrowSegment, CrossMark, Disc, DrawItem, Segment
from calcanim.raster.manim_view import RasterCamera, RasterView, mix, rgb, surface_style
from calcanim.raster.surface import Ball, Cross, Overlay, Polyline, SurfaceRenderer
from calcanim.scenes.base import FONT_TITLE, CalcanimScene
from calcanim.scenes.descent_parts import (
    FONT_LETTER,
    FONT_MIN,
    FONT_READ,
    InsetRun,
    fit_into,
    live_rate,
    descend_revealing,
    log_loss_inset,
    run_colours,
    status_colour,
    status_glyph,
    step_counter,
)
from calcanim.scenes.plate import on_plate
from calcanim.style.rect import Rect

#: A domain at least this much wider than tall is drawn as a flat map (see clip_layout).
FLAT_DOMAIN = 1.4
#: A path's steps older than this many steps are drawn faint, so a long run does not bury the others.
TRAIL_STEPS = 12


@dataclass(frozen=True)
class PanelLayout:
    views: dict[str, Rect]
    legend: Rect
    inset: Rect


def clip_layout(body: Rect, names: list[str], domain_aspect: float, portrait: bool) -> PanelLayout:
    """Where the views, the legend and the inset go in the body (the frame below the header).

    Wide frames: the 3D view takes the left half at full height; the contour map, or the legend over the
    inset, share the right column. Portrait frames stack the views over a strip with the legend beside the
    inset. Near-square frames put the views side by side over that strip; square ones, with a flat domain, stack
    the 3D view over the map in a wide column beside the legend and inset."""
    gap = 0.3
    contour_h = lambda width: width / domain_aspect + 0.55  # noqa: E731 - room for the tick labels
    wide = body.width / body.height >= 1.6
    if wide:
        if names == ["surface", "contour"]:
            left = body.left_part(body.width * 0.52)
            right = body.right_part(body.width - left.width - gap)
            views_h = min(contour_h(right.width), body.height * 0.56)
            contour = right.top_part(views_h)
            strip = right.bottom_part(right.height - views_h - gap)
            legend = strip.left_part(strip.width * 0.42)
            inset = strip.right_part(strip.width - legend.width - 0.2)
            return PanelLayout({"surface": left, "contour": contour}, legend, inset)
        view = body.left_part(body.width * 0.64)
        panel = body.right_part(body.width - view.width - gap)
        legend = panel.top_part(panel.height * 0.4)
        inset = panel.bottom_part(panel.height - legend.height - gap)
        return PanelLayout({names[0]: view}, legend, inset)
    if not portrait and names == ["surface", "contour"] and domain_aspect >= FLAT_DOMAIN and body.width / body.height < 1.4:
        # Square frames and a flat domain (the ravine is 2:1): side by side, the map would get half the width
        # and a third of its height. Instead it takes the foot of a wide left column under the 3D view, and
        # the legend over the inset fill the narrow right column.
        column = body.left_part(body.width * 0.6)
        contour = column.bottom_part(min(contour_h(column.width), column.height * 0.46))
        surface = column.top_part(column.height - contour.height - gap)
        side = body.right_part(body.width - column.width - gap)
        legend = side.top_part(side.height * 0.4)
        inset = side.bottom_part(side.height - legend.height - gap)
        return PanelLayout({"surface": surface, "contour": contour}, legend, inset)
    strip_h = min(body.height * (0.27 if portrait else 0.3), 3.4)
    strip = body.bottom_part(strip_h)
    views_rect = body.top_part(body.height - strip_h - gap)
    legend = strip.left_part(strip.width * 0.45)
    inset = strip.right_part(strip.width - legend.width - 0.2)
    if portrait and len(names) == 2:
        contour = views_rect.bottom_part(min(contour_h(views_rect.width), views_rect.height * 0.45))
        surface = views_rect.top_part(views_rect.height - contour.height - gap)
        return PanelLayout({"surface": surface, "contour": contour}, legend, inset)
    if portrait and names == ["contour"]:  # a flat map needs little height: the strip below takes the rest
        view = views_rect.top_part(min(contour_h(views_rect.width), views_rect.height))
        strip_h = min(body.height - view.height - gap, 2 * strip_h)
        strip = Rect(body.cx, view.bottom - gap - strip_h / 2, body.width, strip_h)
        legend = strip.left_part(strip.width * 0.45)
        inset = strip.right_part(strip.width - legend.width - 0.2)
        return PanelLayout({"contour": view}, legend, inset)
    parts = views_rect.split(len(names), horizontal=not portrait, gap=gap)
    return PanelLayout(dict(zip(names, parts)), legend, inset)


class GradientDescentScene(CalcanimScene[GradientDescentParams, GradientDescentPlan]):
    """Optimizer runs at several learning rates riding down a loss surface."""

    default_camera = RasterCamera

    def construct(self) -> None:
        p, pl = self.params, self.plan
        W, H = self.frame_width, self.frame_height
        names = {"surface": ["surface"], "contour": ["contour"], "both": ["surface", "contour"]}[p.view]
        self.pixel_scale = min(self.camera.pixel_width, self.camera.pixel_height) / 480
        self.clock = ValueTracker(0.0)
        self.colours = run_colours(self.theme, len(pl.runs))

        mx, my, _ = self.edge
        header, counter = self.make_header(W - 2 * mx)
        body_top = min(header.get_bottom()[1], counter.get_bottom()[1]) - 0.25
        body = Rect(0.0, (body_top + (-H / 2 + my)) / 2, W - 2 * mx, body_top - (-H / 2 + my))
        (x0, x1), (y0, y1) = pl.surface.x_range, pl.surface.y_range
        layout = clip_layout(body, names, (x1 - x0) / (y1 - y0), self.portrait)
        views: list[Mobject] = []
        for name in names:
            rect = layout.views[name]
            views += self.make_surface_view(rect) if name == "surface" else self.make_contour_view(rect)
        legend, statuses = self.make_legend(layout.legend)
        inset = self.make_inset(layout.inset)
        self.add(*views)

        self.caption(*pl.captions[0])
        self.play(
            self.clock.animate.set_value(INTRO_SECONDS), FadeIn(header), FadeIn(counter), FadeIn(legend), FadeIn(inset),
            run_time=INTRO_SECONDS, rate_func=linear,
        )
        self.caption(*pl.captions[1])
        reveals = [(seconds, statuses[run.index]) for seconds, run in pl.status_reveal_times()]
        descend_revealing(self, self.clock, INTRO_SECONDS, reveals, pl.descent_seconds)
        self.caption(*pl.captions[2])
        self.run_clock(self.clock, pl.duration, run_time=ENDING_SECONDS)

    # -- time -----------------------------------------------------------------------------------------
    def step_now(self) -> float:
        return self.plan.step_at(self.clock.get_value() - INTRO_SECONDS)

    def stroke(self, width: float) -> float:
        """A stroke width in video pixels, the same share of the frame at every quality."""
        return self.theme.stroke(width) * self.pixel_scale

    # -- header, legend, inset --------------------------------------------------------------------------
    def make_header(self, width: float) -> tuple[VGroup, VGroup]:
        """Title, update rule (and its symbols' definitions, the schedule) on the left; the step counter right."""
        pl, muted = self.plan, self.theme.muted
        title = self.math(self.title_tex(rf"\text{{{pl.title[0].upper() + pl.title[1:]}}}"), size=FONT_TITLE)
        lines: list[Mobject] = [title, self.math(pl.update_rule_tex, size=FONT_READ, colour=muted)]
        for extra in (pl.rule_note_tex, pl.schedule_tex):
            if extra:
                lines.append(self.math(extra, size=FONT_READ, colour=muted))
        header = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        counter = step_counter(self, self.params.steps, self.step_now, FONT_READ)
        room = width - counter.width - 0.4 if not self.portrait else width
        if header.width > room:
            header.scale_to_fit_width(room)
        header.to_corner(UP + LEFT, buff=self.edge)
        counter.to_corner(UP + RIGHT, buff=self.edge)
        if self.portrait:
            counter.next_to(header, DOWN, aligned_edge=LEFT, buff=0.15)
        return header, counter

    def make_legend(self, rect: Rect) -> tuple[VGroup, list[Mobject]]:
        """Per run: a swatch, eta = 0.1 in the run's colour, the live eta_k under a schedule, and its status word
        (in the status colour) once the run is decided."""
        theme = self.theme
        scheduled = self.params.schedule != "constant"
        rows, statuses = [], []
        for run in self.plan.runs:
            colour = self.colours[run.index]
            swatch = Line(LEFT * 0.22, RIGHT * 0.22, color=colour, stroke_width=theme.stroke(6))
            parts: list[Mobject] = [swatch, self.math(run.label_tex, size=FONT_READ, colour=colour)]
            if scheduled:
                smallest = float(run.run.rates.min()) if run.run.rates is not None and len(run.run.rates) else 1.0
                parts.append(live_rate(self, run.rate_at, smallest, colour, FONT_READ, self.step_now))
            status = self.math(rf"\text{{{run.status_word}}}", size=FONT_READ, colour=status_colour(theme, run.run.status))
            row = VGroup(*parts).arrange(RIGHT, buff=0.15)
            rows.append(VGroup(row, status))
            statuses.append(status)
        for row in rows:
            row[1].next_to(row[0], RIGHT, buff=0.3)
        legend = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if any(row.width > rect.width for row in rows) and rect.height > 1.6 * legend.height:
            for row in rows:  # a narrow legend puts the status word under its label
                row[1].next_to(row[0], DOWN, aligned_edge=LEFT, buff=0.08).shift(RIGHT * 0.59)
            legend.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_into(legend, rect.centre, rect.width, rect.height)
        for row in rows:  # the status word keeps its place but shows when the run is decided
            row.remove(row[1])
        return legend, statuses

    def make_inset(self, rect: Rect) -> VGroup:
        pl = self.plan
        runs = [
            InsetRun(r.inset_curve, self.colours[r.index], r.run.status,
                     float(r.last_step if r.run.status == "diverged" else self.params.steps))
            for r in pl.runs
        ]
        return log_loss_inset(self, rect.centre, rect.width, rect.height, self.params.steps, pl.inset_range,
                              pl.inset_ticks, pl.inset_label_tex, runs, self.step_now)

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
        colours = [rgb(c) for c in self.colours]
        background = rgb(theme.background)
        outline, bad = background, rgb(theme.bad)

        def overlays() -> list[Overlay]:
            step = self.step_now()
            items: list[Overlay] = []
            for run, colour in zip(pl.runs, colours):
                shown = min(step, run.drawn_until)
                points, inside = run.samples_until(shown)
                old = run.sample_steps[: len(points)] < shown - TRAIL_STEPS
                faint = mix(colour, background, 0.6)
                if old.any():
                    split = int(np.flatnonzero(old)[-1]) + 1
                    items.append(Polyline(points[: split + 1], inside[: split + 1], faint, self.stroke(2.0), ghost=0.0))
                    points, inside = points[split:], inside[split:]
                items.append(Polyline(points, inside, colour, self.stroke(2.6), ghost=0.3))
                if run.view_exit is not None and run.escaped and step >= run.drawn_until:
                    ex, ey = run.view_exit[1]
                    items.append(Cross(np.array([ex, ey, run.exit_loss]), bad, self.stroke(5.0), self.stroke(3.0)))
                elif not (run.run.status == "diverged" and step >= run.last_step):
                    point, ok = run.position_at(shown)
                    if ok:
                        items.append(Ball(point, colour, self.stroke(6.0), outline))
            return items

        def redraw(mob: RasterView) -> None:
            mob.redraw(lambda: renderer.render(pl.camera_theta_at(self.clock.get_value()), overlays()))

        redraw(view)
        view.add_updater(redraw)
        return [view]

    def make_contour_view(self, rect: Rect) -> list[Mobject]:
        theme, pl, p = self.theme, self.plan, self.params
        surface = pl.surface
        probe = self.math("-0.0", size=FONT_MIN)
        left_room, bottom_room = probe.width + 0.25, probe.height + 0.2
        image_rect = Rect(rect.cx + left_room / 2, rect.cy + bottom_room / 2, rect.width - left_room, rect.height - bottom_room)
        view = RasterView(image_rect.centre, image_rect.width, image_rect.height, rgb(theme.background))
        renderer = ContourRenderer(surface.x_range, surface.y_range, view.pixel_size, rgb(theme.background), margin=0.0)
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
        colours = [rgb(c) for c in self.colours]
        bad, good, outline = rgb(theme.bad), rgb(theme.good), background
        minima = [renderer.pixel(mx, my) for mx, my in surface.minima if surface.contains(mx, my)]
        x_range, y_range = surface.x_range, surface.y_range
        width = self.stroke(2.2)

        def step_items(a: np.ndarray, b: np.ndarray, colour: RGB, head: bool) -> list[DrawItem]:
            """One step from a to b (domain coordinates), clipped to the domain; an arrow head only if b is inside."""
            clipped = clip_segment_to_rectangle(tuple(a), tuple(b), x_range, y_range)
            if clipped is None:
                return []
            pa, pb = (renderer.pixel(*xy) for xy in clipped)
            inside = surface.contains(b[0], b[1])
            if head and inside and p.step_arrows:
                return [ArrowSegment(pa, pb, colour, width)]
            return [Segment(pa, pb, colour, width)]

        def items() -> list[DrawItem]:
            step = self.step_now()
            drawn: list[DrawItem] = [CrossMark(m, good, self.stroke(3.0), self.stroke(1.6)) for m in minima]
            for run, colour in zip(pl.runs, colours):
                path = np.vstack([run.run.points] + ([np.array(run.run.escaped_to)[None]] if run.run.escaped_to else []))
                shown = min(step, run.drawn_until)
                whole = min(int(np.floor(shown)), len(path) - 1)
                faint = mix(colour, background, 0.55)
                for k in range(whole):
                    drawn += step_items(path[k], path[k + 1], faint if k < shown - TRAIL_STEPS else colour, head=True)
                if whole < len(path) - 1 and shown > whole:
                    t = shown - whole
                    tip = path[whole] + t * (path[whole + 1] - path[whole])
                    drawn += step_items(path[whole], tip, colour, head=False)
                    if surface.contains(tip[0], tip[1]) and not (run.escaped and step >= run.drawn_until):
                        drawn.append(Disc(renderer.pixel(*tip), colour, self.stroke(5.0), outline))
                elif surface.contains(*path[whole]) and not run.escaped and run.run.status != "diverged":
                    drawn.append(Disc(renderer.pixel(*path[whole]), colour, self.stroke(5.0), outline))
            return drawn

        def redraw(mob: RasterView) -> None:
            mob.redraw(lambda: renderer.render(items()))

        redraw(view)
        view.add_updater(redraw)
        left, top, w, h = renderer.plot_rect
        corner_bl = view.to_scene((left, top + h))
        corner_tr = view.to_scene((left + w, top))
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        muted = theme.muted
        labels = VGroup(
            self.math(number_tex(x0), size=FONT_MIN, colour=muted).next_to(corner_bl, DOWN, buff=0.08),
            self.math(number_tex(x1), size=FONT_MIN, colour=muted).next_to([corner_tr[0], corner_bl[1], 0], DOWN, buff=0.08),
            self.math("x", size=FONT_LETTER, colour=muted).next_to([(corner_bl[0] + corner_tr[0]) / 2, corner_bl[1], 0], DOWN, buff=0.06),
            self.math(number_tex(y0), size=FONT_MIN, colour=muted).next_to(corner_bl, LEFT, buff=0.1),
            self.math(number_tex(y1), size=FONT_MIN, colour=muted).next_to([corner_bl[0], corner_tr[1], 0], LEFT, buff=0.1),
            self.math("y", size=FONT_LETTER, colour=muted).next_to([corner_bl[0], (corner_bl[1] + corner_tr[1]) / 2, 0], LEFT, buff=0.1),
        )
        labels[0].align_to(corner_bl, LEFT)  # x0 right of the corner, y0 above it: the two never touch
        labels[1].align_to(corner_tr, RIGHT)  # and the far ends inside the map's width and height, off the margin
        labels[3].align_to(corner_bl, DOWN)
        labels[4].align_to(corner_tr, UP)
        escapes = VGroup()
        for run in pl.runs:
            if run.view_exit is None or not run.escaped:
                continue
            exit_pixel = renderer.pixel(*run.view_exit[1])
            point = view.to_scene((float(exit_pixel[0]), float(exit_pixel[1])))
            word = on_plate(self.math(r"\text{escaped}", size=FONT_MIN, colour=theme.bad), theme.background)  # over level lines
            inward = np.array([np.sign(image_rect.cx - point[0]), np.sign(image_rect.cy - point[1]), 0.0])
            word.next_to(point, inward if np.any(inward) else UP, buff=0.15)
            word.shift(RIGHT * min(0.0, image_rect.right - word.get_right()[0]) + RIGHT * max(0.0, image_rect.left - word.get_left()[0]))
            word.shift(UP * min(0.0, image_rect.top - word.get_top()[1]) + UP * max(0.0, image_rect.bottom - word.get_bottom()[1]))
            cross = status_glyph(theme, "diverged", 0.1, theme.stroke(4)).move_to(point)  # whole, over the panel's edge
            marker = VGroup(cross, word)
            marker.set_opacity(0.0)
            marker.add_updater(lambda m, run=run: m.set_opacity(1.0 if self.step_now() >= run.drawn_until else 0.0))
            escapes.add(marker)
        return [view, labels, escapes]
