"""The numbers of each clip, computed from its params by calcanim.numerics.

A plan is what `calcanim inspect` prints and what the scene draws: one call, one source of truth.
No manim here.
"""
