"""manim Scene classes, one module per clip. Importing any of them imports manim."""
