"""tangent-plane: a surface g(w0, w1), a point on it, and the tangent plane from the gradient growing
out of the point while the camera turns (drawn with calcanim's fast surface renderer)."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, FadeIn, ValueTracker, VGroup, linear

from calcanim.numerics.projection import Box
from calcanim.params.tangent_plane import TangentPlaneParams
from calcanim.plans.tangent_plane import GROW_SECONDS, POINT_SECONDS, SURFACE_SECONDS, TangentPlanePlan
from calcanim.raster.manim_view import RasterCamera, RasterView, mix, rgb, surface_style
from calcanim.raster.surface import Ball, Overlay, Patch, SurfaceRenderer
from calcanim.scenes.base import FONT_BODY, FONT_LABEL, CalcanimScene
from calcanim.scenes.base import MARGIN_3D as MARGIN
from calcanim.style.rect import Rect


class TangentPlaneScene(CalcanimScene[TangentPlaneParams, TangentPlanePlan]):
    """The tangent plane of g at a point: the best linear approximation, in 3D."""

    default_camera = RasterCamera

    def construct(self) -> None:
        theme, pl, p = self.theme, self.plan, self.params
        W, H = self.frame_width, self.frame_height
        pixel_scale = min(self.camera.pixel_width, self.camera.pixel_height) / 480
        if W / H >= 1.2:
            text_w = W * 0.36
            text_rect = Rect(W / 2 - MARGIN - text_w / 2, 0.0, text_w, H - 2 * MARGIN)
            view_w = W - 2 * MARGIN - text_w - 0.2
            view_rect = Rect(-W / 2 + MARGIN + view_w / 2, 0.0, view_w, H - 2 * MARGIN)
        else:
            text_h = H * 0.3
            text_rect = Rect(0.0, H / 2 - MARGIN - text_h / 2, W - 2 * MARGIN, text_h)
            view_h = H - 2 * MARGIN - text_h - 0.2
            view_rect = Rect(0.0, -H / 2 + MARGIN + view_h / 2, W - 2 * MARGIN, view_h)

        clock, grown, point_on = ValueTracker(0.0), ValueTracker(0.0), ValueTracker(0.0)
        view = RasterView(view_rect.centre, view_rect.width, view_rect.height, rgb(theme.background))
        renderer = SurfaceRenderer(
            grid=pl.grid,
            box=Box(pl.surface.x_range, pl.surface.y_range, pl.surface.z_range),
            pixel_size=view.pixel_size,
            phi=p.camera_phi,
            thetas=np.array([pl.camera_theta_at(t) for t in np.linspace(0, pl.duration, 25)]),
            style=surface_style(theme, pixel_scale),
        )
        plane_colour, point_colour = rgb(theme.good), rgb(theme.reference)
        edge = mix(plane_colour, rgb(theme.background), 0.4)

        def redraw(mob: RasterView) -> None:
            overlays: list[Overlay] = []
            if grown.get_value() > 0.01:
                overlays.append(Patch(pl.plane_at(grown.get_value()), plane_colour, 0.55, edge, on_top=True))
            if point_on.get_value() > 0:
                overlays.append(Ball(pl.point3, point_colour, 6.5 * pixel_scale, rgb(theme.background), on_top=True))
            mob.show(renderer.render(pl.camera_theta_at(clock.get_value()), overlays))

        redraw(view)
        view.add_updater(redraw)
        self.add(view)

        lines = [self.math(tex, size=FONT_BODY) for tex in pl.readouts_tex]
        lines[1].set_color(theme.reference)
        plane_line = self.math(pl.plane_tex, size=FONT_LABEL, colour=theme.good)
        title = self.text("tangent plane", size=FONT_BODY, colour=theme.good)
        block = VGroup(lines[0], lines[1], lines[2], lines[3], title, plane_line).arrange(DOWN, aligned_edge=LEFT, buff=0.28)
        if block.width > text_rect.width or block.height > text_rect.height:
            block.scale(min(text_rect.width / block.width, text_rect.height / block.height))
        block.move_to(text_rect.centre)

        captions = pl.captions
        self.caption(*captions[0])
        self.play(clock.animate.set_value(SURFACE_SECONDS), FadeIn(lines[0]), run_time=SURFACE_SECONDS, rate_func=linear)
        self.caption(*captions[1])
        point_on.set_value(1.0)
        self.play(
            clock.animate.set_value(SURFACE_SECONDS + POINT_SECONDS), FadeIn(lines[1]), FadeIn(lines[2]),
            run_time=POINT_SECONDS, rate_func=linear,
        )
        self.caption(*captions[2])
        self.play(
            clock.animate(rate_func=linear).set_value(SURFACE_SECONDS + POINT_SECONDS + GROW_SECONDS),
            grown.animate.set_value(1.0), FadeIn(lines[3]), FadeIn(title), FadeIn(plane_line),
            run_time=GROW_SECONDS,
        )
        self.caption(*captions[3])
        self.play(clock.animate.set_value(pl.duration), run_time=captions[3][1], rate_func=linear)
