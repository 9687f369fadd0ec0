"""Projection math for the fast surface renderer, against hand geometry."""

from __future__ import annotations

import numpy as np
import pytest

from calcanim.numerics.projection import (
    Box,
    CameraPose,
    clip_segment_to_rectangle,
    face_normals,
    fit_projector,
    grid_faces,
    painter_order,
    projector_for,
)


@pytest.mark.parametrize(("phi", "theta"), [(0, -90), (65, -45), (30, 120), (89, 0)])
def test_camera_basis_is_orthonormal_and_right_handed(phi: float, theta: float) -> None:
    right, up, toward = CameraPose(phi, theta).basis()
    np.testing.assert_allclose(np.array([right, up, toward]) @ np.array([right, up, toward]).T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(np.cross(right, up), toward, atol=1e-12)
    assert right[2] == 0  # the horizon stays level
    expected = [np.sin(np.radians(phi)) * np.cos(np.radians(theta)), np.sin(np.radians(phi)) * np.sin(np.radians(theta)), np.cos(np.radians(phi))]
    np.testing.assert_allclose(toward, expected, atol=1e-12)


def test_box_maps_corners_and_keeps_proportions() -> None:
    box = Box((-4, 4), (-2, 2), (0, 28))
    assert box.half_extents == (1.0, 0.5, 0.5)
    np.testing.assert_allclose(box.to_box(np.array([-4.0, 4.0]), np.array([-2.0, 2.0]), np.array([0.0, 28.0])), [[-1, -0.5, -0.5], [1, 0.5, 0.5]])
    np.testing.assert_allclose(box.to_box(np.array(0.0), np.array(0.0), np.array(-99.0)), [0, 0, -0.5])  # clamped


def test_nearer_points_sort_last_and_look_bigger() -> None:
    box = Box((-1, 1), (-1, 1), (0, 1))
    pose = CameraPose(60, -90)
    projector = projector_for(box, pose, 100.0, (200.0, 200.0))
    toward = pose.basis()[2]
    near, far = 0.5 * toward, -0.5 * toward
    (_, d_near), (_, d_far) = projector.project(near), projector.project(far)
    assert d_near > d_far and painter_order(np.array([d_near, d_far])).tolist() == [1, 0]
    right = pose.basis()[0]
    width_near = np.ptp(projector.project(np.array([near, near + 0.1 * right]))[0][:, 0])
    width_far = np.ptp(projector.project(np.array([far, far + 0.1 * right]))[0][:, 0])
    assert width_near > width_far


def test_fit_keeps_the_whole_box_inside_the_view_at_every_theta() -> None:
    box = Box((-3, 3), (-3, 3), (0, 10))
    thetas = np.linspace(-45, 45, 13)
    scale, centre = fit_projector(box, CameraPose(65, 0), thetas, (400, 300))
    for theta in np.linspace(-45, 45, 37):
        pixels, _ = projector_for(box, CameraPose(65, theta), scale, centre).project(box.corners())
        assert pixels[:, 0].min() >= -1e-6 and pixels[:, 0].max() <= 400 + 1e-6
        assert pixels[:, 1].min() >= -1e-6 and pixels[:, 1].max() <= 300 + 1e-6


def test_grid_faces_and_normals_of_a_tilted_plane() -> None:
    x, y = np.meshgrid(np.linspace(0, 1, 3), np.linspace(0, 1, 4))
    z = 2 * x + 0 * y  # normal of z = 2x is (-2, 0, 1) / sqrt(5)
    faces = grid_faces(np.stack([x, y, z], axis=-1))
    assert faces.shape == (6, 4, 3)
    np.testing.assert_allclose(face_normals(faces), np.tile([-2, 0, 1], (6, 1)) / np.sqrt(5), atol=1e-12)


def test_clip_segment_to_rectangle() -> None:
    assert clip_segment_to_rectangle((0, 0), (0.5, 0.5), (-1, 1), (-1, 1)) == ((0.0, 0.0), (0.5, 0.5))
    assert clip_segment_to_rectangle((0, 0), (0, 5), (-1, 1), (-1, 1)) == ((0.0, 0.0), (0.0, 1.0))
    assert clip_segment_to_rectangle((2, 2), (3, 5), (-1, 1), (-1, 1)) is None
