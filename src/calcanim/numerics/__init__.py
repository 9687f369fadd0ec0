"""Pure math behind every clip: numpy (and sympy where symbolic), no manim, no I/O.

Import the submodule you need, e.g. ``from calcanim.numerics.limits import compound_interest_limit``.
"""
