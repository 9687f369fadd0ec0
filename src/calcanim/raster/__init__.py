"""A small software rasterizer for the 3D and contour views: typed draw items (:mod:`.items`),
a Cairo canvas (:mod:`.canvas`), the surface renderer with painter's order (:mod:`.surface`), the
contour renderer (:mod:`.contour`) and the manim side that shows the image (:mod:`.manim_view`)."""
