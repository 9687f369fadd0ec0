"""Looks and shapes: themes (colours, strokes, text sizes) and layouts per aspect ratio."""
