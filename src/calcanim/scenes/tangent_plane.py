"""tangent-plane: a surface g(w0, w1), a point on it, and the tangent plane from the gradient growing
out of the point while the camera turns (drawn with calcanim's fast surface renderer).

The plane's faces are depth-sorted with the surface's, so where the plane dips under the surface
it is hidden by it: the plane visibly passes through and, farther from the point, parts from it.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, FadeIn, ValueTracker, VGroup, linear

from calcanim.numerics.projection import Box
from calcanim.params.tangent_plane import TangentPlaneParams
from calcanim.plans.tangent_plane import TangentPlanePlan
from calcanim.raster.manim_view import RasterCamera, RasterView, mix, rgb, surface_style
from calcanim.raster.surface import Arrow, Ball, Overlay, Patch, Polyline, SurfaceRenderer
from calcanim.scenes.base import FONT_BODY, CalcanimScene
from calcanim.scenes.base import MARGIN_3D as MARGIN
from calcanim.scenes.graph_axes import keep_redrawn
from calcanim.style.rect import Rect

#: How far past the end of each axis its label sits, as a fraction of the box's half size.
AXIS_LABEL_OFFSET = 0.16
#: The plane wins painter's-order ties this close to the surface (box units), so no stripes where they touch.
PLANE_DEPTH_BIAS = 0.08


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
        box = Box(pl.surface.x_range, pl.surface.y_range, pl.surface.z_range)
        renderer = SurfaceRenderer(
            grid=pl.grid,
            box=box,
            pixel_size=view.pixel_size,
            phi=p.camera_phi,
            thetas=np.array([pl.camera_theta_at(t) for t in np.linspace(0, pl.duration, 25)]),
            style=surface_style(theme, pixel_scale),
        )
        plane_colour, point_colour = rgb(theme.good), rgb(theme.reference)
        edge = mix(plane_colour, rgb(theme.background), 0.4)
        axis_colour = rgb(theme.axis)
        (x0, x1), (y0, y1), (z0, z1) = pl.surface.x_range, pl.surface.y_range, pl.surface.z_range
        corner = np.array([x0, y0, z0])
        axis_ends = [np.array([x1, y0, z0]), np.array([x0, y1, z0]), np.array([x0, y0, z1])]
        axes = [
            Polyline(np.array([corner, end]), np.array([True, True]), axis_colour, 2.0 * pixel_scale, ghost=0.6)
            for end in axis_ends
        ]
        spans = np.array([x1 - x0, y1 - y0, z1 - z0])
        label_points = [end + AXIS_LABEL_OFFSET * spans * np.eye(3)[i] for i, end in enumerate(axis_ends)]
        axis_labels = [self.math(tex, size=FONT_BODY, colour=theme.text) for tex in ("w_0", "w_1", "g")]
        arrow_ends = pl.gradient_arrow
        gradient_label = self.math(r"\nabla g(p)", size=FONT_BODY, colour=theme.reference)
        gradient_label.set_opacity(0.0)

        def redraw(mob: RasterView) -> None:
            theta = pl.camera_theta_at(clock.get_value())
            overlays: list[Overlay] = list(axes)
            if grown.get_value() > 0.01:
                overlays.append(Patch(pl.plane_at(grown.get_value()), plane_colour, 0.6, edge, depth_bias=PLANE_DEPTH_BIAS))
            if point_on.get_value() > 0:
                overlays.append(Ball(pl.point3, point_colour, 6.5 * pixel_scale, rgb(theme.background), on_top=True))
            if arrow_ends is not None and grown.get_value() > 0.5:
                overlays.append(Arrow(arrow_ends, point_colour, 3.0 * pixel_scale))
            mob.show(renderer.render(theta, overlays))
            projector = renderer.projector(theta)
            pixels, _ = projector.project(renderer.to_box(np.array(label_points)))
            for label, pixel in zip(axis_labels, pixels):
                label.move_to(view.to_scene(pixel))
            if arrow_ends is not None:
                ends, _ = projector.project(renderer.to_box(arrow_ends))
                direction = ends[1] - ends[0]
                direction = direction / max(float(np.hypot(*direction)), 1e-9)
                # beyond the tip along the arrow, far enough that the label's box clears it
                reach = 0.5 * float(np.hypot(gradient_label.width, gradient_label.height)) * view.pixel_size[0] / view.width
                gradient_label.move_to(view.to_scene(ends[1] + direction * (reach + 6 * pixel_scale)))
                gradient_label.set_opacity(1.0 if grown.get_value() > 0.5 else 0.0)

        redraw(view)
        view.add_updater(redraw)
        self.add(view, *axis_labels, gradient_label)
        keep_redrawn(*axis_labels, gradient_label)

        lines = [self.math(tex, size=FONT_BODY) for tex in pl.readouts_tex]
        lines[1].set_color(theme.reference)
        lines[3].set_color(theme.reference)
        plane_line = self.math(pl.plane_tex, size=FONT_BODY, colour=theme.good)
        title = self.math(r"\text{tangent plane}", size=FONT_BODY, colour=theme.good)
        block = VGroup(lines[0], lines[1], lines[2], lines[3], title, plane_line).arrange(DOWN, aligned_edge=[-1, 0, 0], buff=0.28)
        if block.width > text_rect.width or block.height > text_rect.height:
            block.scale(min(text_rect.width / block.width, text_rect.height / block.height))
        block.move_to(text_rect.centre)

        surface_s, point_s, grow_s, rest_s = pl.beats
        captions = pl.captions
        self.caption(*captions[0])
        self.play(clock.animate.set_value(surface_s), FadeIn(lines[0]), run_time=surface_s, rate_func=linear)
        self.caption(*captions[1])
        point_on.set_value(1.0)
        self.play(
            clock.animate.set_value(surface_s + point_s), FadeIn(lines[1]), FadeIn(lines[2]),
            run_time=point_s, rate_func=linear,
        )
        self.caption(*captions[2])
        self.play(
            clock.animate(rate_func=linear).set_value(surface_s + point_s + grow_s),
            grown.animate.set_value(1.0), FadeIn(lines[3]), FadeIn(title), FadeIn(plane_line),
            run_time=grow_s,
        )
        self.caption(*captions[3])
        self.play(clock.animate.set_value(pl.duration), run_time=rest_s, rate_func=linear)


