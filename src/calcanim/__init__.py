"""calcanim: lecture-ready video clips of calculus for machine learning, built on manim."""

__version__ = "0.1.0"
