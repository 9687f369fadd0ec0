"""Pure numpy 3D projection for surface clips: a camera on a sphere (manim's phi/theta), a box the
surface is scaled into, perspective projection, per-face shading and painter's order.

Drawing a surface this way costs one vectorised projection and one argsort per frame, instead of
manim's per-face 3D mobjects re-sorted through Cairo every frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Light direction in box coordinates (from the upper left front), normalised.
LIGHT_DIRECTION = np.array([-0.45, -0.55, 0.70]) / np.linalg.norm([-0.45, -0.55, 0.70])
AMBIENT = 0.42
#: Perspective distance in units of the box's bounding radius (manim's ThreeDCamera uses ~20 / 4).
PERSPECTIVE_DISTANCE = 5.0


@dataclass(frozen=True)
class CameraPose:
    """Where the camera looks from: phi from the +z axis, theta around it, both in degrees (manim's convention)."""

    phi: float
    theta: float

    def basis(self) -> np.ndarray:
        """Rows: screen right, screen up, towards the camera (an orthonormal basis).

        >>> (np.round(CameraPose(0, -90).basis(), 12) + 0.0).tolist()  # straight down: x right, y up
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        """
        phi, theta = math.radians(self.phi), math.radians(self.theta)
        toward = np.array([math.sin(phi) * math.cos(theta), math.sin(phi) * math.sin(theta), math.cos(phi)])
        right = np.array([-math.sin(theta), math.cos(theta), 0.0])
        up = np.cross(toward, right)
        return np.array([right, up, toward])


@dataclass(frozen=True)
class Box:
    """Maps a domain x_range * y_range * z_range into box coordinates centred on the origin.

    The longer side of the domain spans [-1, 1]; the other keeps the domain's proportions
    (clamped to at least half the longer one); z spans [-height / 2, height / 2].
    """

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    z_range: tuple[float, float]
    height: float = 1.0

    @property
    def half_extents(self) -> tuple[float, float, float]:
        x_span, y_span = self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0]
        longest = max(x_span, y_span)
        return max(x_span / longest, 0.5), max(y_span / longest, 0.5), self.height / 2

    def to_box(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """(..., 3) box coordinates of domain points; z is clamped into z_range.

        >>> Box((-3, 3), (-1, 1), (0, 10)).to_box(np.array(3.0), np.array(0.0), np.array(20.0)).tolist()
        [1.0, 0.0, 0.5]
        """
        hx, hy, hz = self.half_extents
        (x0, x1), (y0, y1), (z0, z1) = self.x_range, self.y_range, self.z_range
        bx = (2 * (np.asarray(x, dtype=float) - x0) / (x1 - x0) - 1) * hx
        by = (2 * (np.asarray(y, dtype=float) - y0) / (y1 - y0) - 1) * hy
        bz = (2 * (np.clip(np.asarray(z, dtype=float), z0, z1) - z0) / (z1 - z0) - 1) * hz
        return np.stack(np.broadcast_arrays(bx, by, bz), axis=-1)

    def corners(self) -> np.ndarray:
        hx, hy, hz = self.half_extents
        return np.array([[sx * hx, sy * hy, sz * hz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])

    @property
    def radius(self) -> float:
        return float(np.linalg.norm(self.half_extents))


@dataclass(frozen=True)
class Projector:
    """Box coordinates -> pixel coordinates for one camera pose, in a view of a fixed pixel size."""

    basis: np.ndarray
    scale: float  # pixels per box unit at depth 0
    centre: tuple[float, float]  # pixel position of the box origin
    distance: float  # perspective distance in box units

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(..., 2) pixel coordinates (y down) and (...,) depth (larger is nearer the camera)."""
        camera = np.asarray(points, dtype=float) @ self.basis.T
        depth = camera[..., 2]
        factor = self.scale * self.distance / (self.distance - depth)
        pixels = np.stack([self.centre[0] + camera[..., 0] * factor, self.centre[1] - camera[..., 1] * factor], axis=-1)
        return pixels, depth


def fit_projector(
    box: Box, pose: CameraPose, thetas: np.ndarray, pixel_size: tuple[int, int], margin: float = 0.04
) -> tuple[float, tuple[float, float]]:
    """Scale and centre that keep the whole box inside the view for every camera theta in ``thetas``.

    Computed once per clip so that a turning camera neither zooms nor drifts.
    """
    width, height = pixel_size
    distance = PERSPECTIVE_DISTANCE * box.radius
    lows, highs = [], []
    for theta in np.atleast_1d(thetas):
        unit = Projector(CameraPose(pose.phi, float(theta)).basis(), 1.0, (0.0, 0.0), distance)
        pixels, _ = unit.project(box.corners())
        lows.append(pixels.min(axis=0))
        highs.append(pixels.max(axis=0))
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    span = np.maximum(high - low, 1e-9)
    scale = float(min(width * (1 - 2 * margin) / span[0], height * (1 - 2 * margin) / span[1]))
    middle = (low + high) / 2
    return scale, (width / 2 - middle[0] * scale, height / 2 - middle[1] * scale)


def projector_for(box: Box, pose: CameraPose, scale: float, centre: tuple[float, float]) -> Projector:
    return Projector(pose.basis(), scale, centre, PERSPECTIVE_DISTANCE * box.radius)


def camera_eye(box: Box, pose: CameraPose) -> np.ndarray:
    """Where the perspective camera sits, in box coordinates: ``distance`` along the towards-camera axis.

    >>> (camera_eye(Box((0, 1), (0, 1), (0, 1)), CameraPose(0, -90)) / (PERSPECTIVE_DISTANCE * 1.5)).round(12) + 0.0
    array([0., 0., 1.])
    """
    return pose.basis()[2] * (PERSPECTIVE_DISTANCE * box.radius)


def hidden_under_height_field(
    points: np.ndarray,
    eye: np.ndarray,
    height: Callable[[np.ndarray, np.ndarray], np.ndarray],
    half_extents: tuple[float, float, float],
    samples: int = 160,
) -> np.ndarray:
    """(n,) bool: whether the surface z = height(x, y), spread over the box's floor (|x| <= hx, |y| <= hy),
    hides each of the (n, 3) box points from ``eye``: the sight line crosses it (passes from one side of the
    sheet to the other over the floor). A sight line that runs under the sheet and out past its edge is not
    hidden. Sampled at ``samples`` points up to the box's top; where height is not finite there is no sheet.

    >>> flat = lambda x, y: np.zeros_like(x)  # a sheet at z = 0 over the floor [-1, 1]^2
    >>> eye = np.array([0.0, 0.0, 5.0])
    >>> hidden_under_height_field(np.array([[0.5, 0.0, -0.5], [0.5, 0.0, 0.5], [3.0, 0.0, -0.5]]), eye, flat,
    ...                           (1.0, 1.0, 0.5)).tolist()  # under the sheet, above it, beside the box
    [True, False, False]
    >>> hidden_under_height_field(np.array([[0.9, 0.0, -0.5]]), np.array([10.0, 0.0, 0.5]), flat,
    ...                           (1.0, 1.0, 0.5)).tolist()  # under the sheet, seen from the side past its edge
    [False]
    """
    points = np.asarray(points, dtype=float)
    towards = np.asarray(eye, dtype=float) - points
    hx, hy, hz = half_extents
    # only the stretch below the box's top can cross the surface (which the box holds)
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(towards[:, 2] > 0, np.clip((hz - points[:, 2]) / towards[:, 2], 0.0, 1.0), 1.0)
    t = np.linspace(0.0, 1.0, samples + 1)[None, :] * reach[:, None]
    ray = points[:, None, :] + t[..., None] * towards[:, None, :]
    over_floor = (np.abs(ray[..., 0]) <= hx) & (np.abs(ray[..., 1]) <= hy)
    with np.errstate(invalid="ignore", over="ignore"):
        surface = np.asarray(height(ray[..., 0], ray[..., 1]), dtype=float)
        sheet = over_floor & np.isfinite(surface)
        below = surface > ray[..., 2] + 1e-9
    crossing = sheet[:, :-1] & sheet[:, 1:] & (below[:, :-1] != below[:, 1:])
    return np.asarray(np.any(crossing, axis=1))


def grid_faces(points: np.ndarray) -> np.ndarray:
    """(n-1)*(m-1) quads (4 corners each, counter-clockwise seen from +z) of an (n, m, 3) grid."""
    a, b = points[:-1, :-1], points[:-1, 1:]
    c, d = points[1:, 1:], points[1:, :-1]
    return np.stack([a, b, c, d], axis=-2).reshape(-1, 4, 3)


def face_normals(faces: np.ndarray) -> np.ndarray:
    """Unit normals of (k, 4, 3) quads from the cross product of their diagonals, oriented towards +z.

    >>> (face_normals(np.array([[[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]]], dtype=float)) + 0.0).tolist()
    [[0.0, 0.0, 1.0]]
    """
    normals = np.cross(faces[:, 2] - faces[:, 0], faces[:, 3] - faces[:, 1])
    normals *= np.where(normals[:, 2:3] < 0, -1.0, 1.0)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.where(length > 0, length, 1.0)


def lambert_intensity(normals: np.ndarray, towards_camera: np.ndarray | None = None) -> np.ndarray:
    """Brightness in [AMBIENT, 1] per face: ambient plus diffuse light, two-sided (a face seen from below is lit too).

    When ``towards_camera`` is given, a face whose back is seen uses its flipped normal.
    """
    normals = np.asarray(normals, dtype=float)
    if towards_camera is not None:
        normals = normals * np.where(normals @ towards_camera < 0, -1.0, 1.0)[:, None]
    diffuse = np.abs(normals @ LIGHT_DIRECTION)
    return AMBIENT + (1 - AMBIENT) * diffuse


def painter_order(depths: np.ndarray) -> np.ndarray:
    """Indices that draw far things first (smallest depth) and near things last.

    >>> painter_order(np.array([0.5, -1.0, 2.0])).tolist()
    [1, 0, 2]
    """
    return np.argsort(depths, kind="stable")


def clip_segment_to_rectangle(
    start: tuple[float, float], end: tuple[float, float], x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of a segment inside a rectangle (Liang-Barsky), or None if it misses it.

    >>> clip_segment_to_rectangle((0, 0), (4, 0), (-1, 1), (-1, 1))
    ((0.0, 0.0), (1.0, 0.0))
    """
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - x_range[0]), (dx, x_range[1] - x0), (-dy, y0 - y_range[0]), (dy, y_range[1] - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (float(x0 + t0 * dx), float(y0 + t0 * dy)), (float(x0 + t1 * dx), float(y0 + t1 * dy))
