"""tangent-plane: a surface g(w0, w1), a point on it, and the tangent plane from the gradient growing
out of the point while the camera turns (drawn with calcanim's fast surface renderer).

The plane's faces are depth-sorted with the surface's, so where the plane dips under the surface
it is hidden by it: the plane visibly passes through and, farther from the point, parts from it.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Mobject, ValueTracker, VGroup, linear

from calcanim.numerics.projection import Box
from calcanim.params.tangent_plane import TangentPlaneParams
from calcanim.plans.tangent_plane import TangentPlanePlan
from calcanim.raster.manim_view import RasterCamera, RasterView, mix, rgb, surface_style
from calcanim.raster.surface import Arrow, Ball, Overlay, Patch, Polyline, SurfaceRenderer
from calcanim.scenes.base import FONT_BODY, CalcanimScene
from calcanim.scenes.base import MARGIN_3D as MARGIN
from calcanim.scenes.graph_axes import keep_redrawn
from calcanim.scenes.plate import on_plate
from calcanim.style.rect import Rect

#: Pixels (at 480p) between an axis's end and its label's box, along the axis as drawn.
AXIS_LABEL_GAP = 6.0
#: Where no surface lies under the plane, it wins painter's-order ties this close to it (box units).
PLANE_DEPTH_BIAS = 0.08
#: The plane's mesh: a line every this many of its faces (every face's outline made a fine hatching).
PLANE_EDGE_EVERY = 4
#: Texts keep this share of the frame's width (left, right) and height (top, bottom) clear of its edge.
EDGE_SHARE = 0.035
#: Space kept between two axis labels (manim units).
LABEL_GAP = 0.08
#: Space between readout lines, and between two columns of them (manim units).
LINE_GAP, COLUMN_GAP = 0.28, 0.5
#: Portrait frames: the 3D view's height over its width (the turning box projects wider than tall).
PORTRAIT_VIEW_SHAPE = 0.8


def hidden_runs(hidden: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True that spans at least one piece (two points).

    >>> hidden_runs(np.array([False, True, True, True, False, True, False, True, True]))
    [(1, 3), (7, 8)]
    """
    runs, start = [], None
    for i, flag in enumerate([*hidden.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - 1 > start:
                runs.append((start, i - 1))
            start = None
    return runs


class TangentPlaneScene(CalcanimScene[TangentPlaneParams, TangentPlanePlan]):
    """The tangent plane of g at a point: the best linear approximation, in 3D."""

    default_camera = RasterCamera

    def construct(self) -> None:
        theme, pl, p = self.theme, self.plan, self.params
        W, H = self.frame_width, self.frame_height
        pixel_scale = min(self.camera.pixel_width, self.camera.pixel_height) / 480
        lines = [self.math(tex, size=FONT_BODY) for tex in pl.readouts_tex]
        lines[1].set_color(theme.reference)
        lines[3].set_color(theme.reference)
        plane_line = self.math(pl.plane_tex, size=FONT_BODY, colour=theme.good)
        title = self.math(r"\text{tangent plane}", size=FONT_BODY, colour=theme.good)
        block = VGroup(lines[0], lines[1], lines[2], lines[3], title, plane_line).arrange(DOWN, aligned_edge=LEFT, buff=LINE_GAP)
        # Nothing within 3.5% of the frame's edge (the 3D margin alone is less than that in wide frames).
        mx, my = max(MARGIN, EDGE_SHARE * W), max(MARGIN, EDGE_SHARE * H)
        if W / H >= 1.2:
            text_w = min(W * 0.36, block.width + 0.1)
            text_rect = Rect(W / 2 - mx - text_w / 2, 0.0, text_w, H - 2 * my)
            view_w = W - 2 * mx - text_w - 0.2
            view_rect = Rect(-W / 2 + mx + view_w / 2, 0.0, view_w, H - 2 * my)
        else:
            # The text takes the height it needs; the 3D view all the rest.
            # The text takes the height it needs and the view about a square (the box projects wider
            # than tall, about 0.8), the two centred together: no band of empty frame between them.
            block = readout_columns([lines[0], lines[1], lines[2], lines[3], title, plane_line], W - 2 * mx, H * 0.3)
            text_h = min(H * 0.3, block.height + 0.1)
            view_h = min(H - 2 * my - text_h - 0.6, (W - 2 * mx) * PORTRAIT_VIEW_SHAPE)
            top = (text_h + 0.6 + view_h) / 2
            text_rect = Rect(0.0, top - text_h / 2, W - 2 * mx, text_h)
            view_rect = Rect(0.0, top - text_h - 0.6 - view_h / 2, W - 2 * mx, view_h)
        if block.width > text_rect.width or block.height > text_rect.height:
            block.scale(min(text_rect.width / block.width, text_rect.height / block.height))
        self.safe = (W / 2 - mx, H / 2 - my)

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

        def axes_at(theta: float) -> tuple[list[Overlay], np.ndarray]:
            """The axis lines seen from theta (w1 on the side edge the camera sees), and their ends (starts, then ends)."""
            # The parts the surface hides are dashed and drawn over it (ghost 1: on top, full colour), so an axis is
            # never lost: with the camera facing the front both side edges lie under the surface's sheet, and
            # the w1 axis there was only a faint ghost. The parts in front are depth-sorted piece by piece.
            lines: list[Overlay] = []
            segments = []
            for points, hidden in pl.axis_pieces(theta):
                segments.append((points[0], points[-1]))
                behind = hidden.copy()  # a piece with either end hidden is dashed
                behind[:-1] |= hidden[1:]
                behind[1:] |= hidden[:-1]
                lines.append(Polyline(points, ~hidden, axis_colour, 2.0 * pixel_scale, ghost=0.6, kind="axis"))
                for first, last in hidden_runs(behind):
                    lines.append(Polyline(points[[first, last]], np.array([True, True]), axis_colour, 2.0 * pixel_scale,
                                          dashed=True, ghost=1.0, kind="axis"))
            return lines, np.array([start for start, _ in segments] + [end for _, end in segments])
        # on plates: they sit over the surface, the plane and the axes as the camera turns
        axis_labels = [on_plate(self.math(tex, size=FONT_BODY, colour=theme.text), theme.background) for tex in ("w_0", "w_1", "g")]
        arrow_ends = pl.gradient_arrow
        gradient_label = on_plate(self.math(r"\nabla g(p)", size=FONT_BODY, colour=theme.reference), theme.background)
        gradient_label.set_opacity(0.0)

        def redraw(mob: RasterView) -> None:
            theta = pl.camera_theta_at(clock.get_value())
            axes, label_points = axes_at(theta)
            overlays: list[Overlay] = list(axes)
            if grown.get_value() > 0.01:
                overlays.append(Patch(pl.plane_at(grown.get_value()), plane_colour, 0.6, edge, depth_bias=PLANE_DEPTH_BIAS,
                                      edge_every=PLANE_EDGE_EVERY))
            if point_on.get_value() > 0:
                overlays.append(Ball(pl.point3, point_colour, 6.5 * pixel_scale, rgb(theme.background), on_top=True))
            if arrow_ends is not None and grown.get_value() > 0.5:
                overlays.append(Arrow(arrow_ends, point_colour, 3.0 * pixel_scale))
            mob.redraw(lambda: renderer.render(theta, overlays))
            projector = renderer.projector(theta)
            pixels, _ = projector.project(renderer.to_box(label_points))
            placed: list[Mobject] = []
            for label, start, pixel in zip(axis_labels, pixels[:3], pixels[3:]):
                # Past the axis's end along the axis as drawn, far enough that the label's box clears it.
                along = pixel - start
                along = along / max(float(np.hypot(*along)), 1e-9)
                half = 0.5 * np.array([label.width, label.height]) * view.pixel_size[0] / view.width
                reach = float(np.min(half / np.maximum(np.abs(along), 1e-9)))  # centre to box edge along the axis
                label.move_to(view.to_scene(pixel + along * (reach + AXIS_LABEL_GAP * pixel_scale)))
                keep_clear(label, placed, self.safe)
                placed.append(label)
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
        self.run_clock(clock, pl.duration, run_time=rest_s)


def readout_columns(lines: list[Mobject], width: float, height: float) -> VGroup:
    """The readouts in one column, or in two side by side (the function and point; the gradient and plane)
    where that lets them be set larger within width x height: a square frame has room across, not down."""
    def fit(group: VGroup) -> float:
        return min(1.0, width / group.width, height / group.height)

    half = (len(lines) + 1) // 2
    columns = VGroup(VGroup(*lines[:half]).arrange(DOWN, aligned_edge=LEFT, buff=LINE_GAP),
                     VGroup(*lines[half:]).arrange(DOWN, aligned_edge=LEFT, buff=LINE_GAP))
    columns.arrange(RIGHT, aligned_edge=UP, buff=COLUMN_GAP)
    two = fit(columns)
    one_column = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=LINE_GAP)
    if two > fit(one_column) + 0.05:
        for column in columns:  # its lines were moved by the one-column try
            column.arrange(DOWN, aligned_edge=LEFT, buff=LINE_GAP)
        columns.arrange(RIGHT, aligned_edge=UP, buff=COLUMN_GAP)
        return columns
    return one_column


def keep_clear(label: Mobject, others: list[Mobject], safe: tuple[float, float]) -> None:
    """Move ``label`` the least it takes off each label in ``others`` (where the camera turns two axis
    ends close together) and then inside the frame's safe half-extents ``safe``."""
    for other in others:
        dx = (label.width + other.width) / 2 + LABEL_GAP - abs(label.get_x() - other.get_x())
        dy = (label.height + other.height) / 2 + LABEL_GAP - abs(label.get_y() - other.get_y())
        if dx > 0 and dy > 0:  # overlapping: step out along the shorter way
            if dx < dy:
                label.shift([dx if label.get_x() >= other.get_x() else -dx, 0.0, 0.0])
            else:
                label.shift([0.0, dy if label.get_y() >= other.get_y() else -dy, 0.0])
    sx, sy = safe
    label.shift([max(0.0, -sx - label.get_left()[0]) - max(0.0, label.get_right()[0] - sx),
                 max(0.0, -sy - label.get_bottom()[1]) - max(0.0, label.get_top()[1] - sy), 0.0])
