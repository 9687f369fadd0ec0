"""What the activations and loss-functions clips share: their plan's panels shown one after another,
each a function's value plot over its slope plot, with a heading and a table beside (or below) them.

The mixin times the clip (a title, each panel for the plan's panel seconds, a closing line) and lays a
panel out for the frame's shape; the clip builds each panel's heading, table and marks."""

from __future__ import annotations

import typing

from manim import DOWN, LEFT, RIGHT, UP, Axes, FadeIn, FadeOut, Mobject, VGroup, Write

from calcanim.plans.timeline import EqualPanels
from calcanim.scenes.base import FONT_TITLE, MARGIN, CalcanimScene, P, PlanT
from calcanim.scenes.frame_tools import FrameTimed
from calcanim.scenes.function_plot import Box, fit_width, plot_axes, stacked_plots, words

#: Landscape frames narrower than this (manim units; 16:9 is 14.2) lay out as 1:1 and 4:3 do.
NARROW_WIDTH = 12.0


class ValueSlopePanelsScene(FrameTimed, CalcanimScene[P, PlanT]):
    """A scene whose plan is :class:`EqualPanels`: ``class XScene(ValueSlopePanelsScene[XParams, XPlan])``
    with its words below and its own ``show_panel(panel, seconds)``."""

    #: The clip's title, written and faded first.
    HEADLINE: typing.ClassVar[str]
    #: The caption under the title (see :meth:`intro`).
    INTRO: typing.ClassVar[str]
    #: The caption at the end, and the words on screen then.
    ENDING: typing.ClassVar[str]
    CLOSING: typing.ClassVar[str]

    def intro(self) -> str:
        """The caption under the title; a clip may put its params' values in."""
        return self.INTRO

    def show_panel(self, panel: typing.Any, seconds: float) -> None:
        raise NotImplementedError

    def construct(self) -> None:
        """The title under the intro caption, each panel in turn, the closing words under the ending's."""
        self.start_clock()
        pl = typing.cast(EqualPanels, self.plan)
        heading = words(self, self.HEADLINE, size=FONT_TITLE)
        fit_width(heading, self.frame_width - 2 * MARGIN - 0.4)
        self.caption(self.intro(), pl.intro_seconds)
        self.timed_play(pl.intro_seconds * 0.6, Write(heading))
        self.timed_play(pl.intro_seconds * 0.4, FadeOut(heading))
        for panel in pl.panels:
            self.show_panel(panel, pl.panel_seconds)
        self.caption(self.ENDING, pl.ending_seconds)
        closing = words(self, self.CLOSING)
        self.timed_play(pl.ending_seconds * 0.4, FadeIn(closing))
        self.timed_wait(pl.ending_seconds * 0.6)

    @property
    def narrow(self) -> bool:
        """A landscape frame too narrow for the plots beside the text: the table goes right of the plots."""
        return not self.portrait and self.frame_width < NARROW_WIDTH

    def panel_sizes(self, portrait_slope_height: float) -> tuple[float, float, float, float]:
        """(plot width, value plot height, slope plot height, text width) for this frame; a narrow frame's
        plot sizes come later from :meth:`narrow_plot_sizes`, once the table's width is known."""
        fw = self.frame_width
        if self.portrait:
            return fw - 2 * MARGIN - 1.3, 2.5, portrait_slope_height, fw - 2 * MARGIN
        if self.narrow:  # 1:1, 4:3: the heading across the top, the plots left, the table right
            return 0.0, 1.9, 1.6, fw - 2 * MARGIN
        return 7.2, 2.6, 2.2, fw - 2 * MARGIN - 7.2 - 1.6

    def narrow_plot_sizes(self, heading: Mobject, side: Mobject, room_below: float) -> tuple[float, float, float]:
        """A narrow frame: the heading to the top-left corner, and (plot width, value height, slope
        height) that fill what the heading and the table (``side``) leave, ``room_below`` kept free."""
        plot_width = self.frame_width - 2 * MARGIN - side.width - 1.9
        heading.to_corner(UP + LEFT, buff=MARGIN + 0.1)
        free = heading.get_bottom()[1] - (-self.frame_height / 2 + MARGIN + 0.1) - 0.45 - 0.9 - 1.0 - room_below
        return plot_width, free * 0.55, free * 0.45

    def value_and_slope_axes(
        self, value_window: Box, slope_window: Box, plot_width: float, value_height: float, slope_height: float
    ) -> tuple[Axes, Axes, Mobject]:
        """The value plot over the slope plot, x axes lined up; a narrow plot gets fewer x numbers, so
        they never touch."""
        x_ticks = 3 if plot_width < 4.0 else 5
        value_axes = plot_axes(self, value_window, plot_width, value_height, x_ticks=x_ticks)
        slope_axes = plot_axes(self, slope_window, plot_width, slope_height, x_ticks=x_ticks)
        return value_axes, slope_axes, stacked_plots(value_axes, slope_axes, value_window[0])

    def place_panel(self, heading: Mobject, plots: Mobject, value_axes: Axes, side: VGroup, gap_below: float) -> None:
        """Put the heading, the plots and ``side`` (the table and the like; in a wide frame the heading
        too) where this frame's shape has room: narrow, the side right of the plots; portrait, the plots
        under the heading and the side under them, ``gap_below`` apart (the pair moved up if the side would
        reach the bottom margin); wide, the plots right and the side left."""
        fh = self.frame_height
        if self.narrow:
            plots.next_to(heading, DOWN, buff=0.9).to_edge(LEFT, buff=MARGIN + 0.1)
            side.next_to(plots, RIGHT, buff=0.5).align_to(value_axes, UP).shift(DOWN * 0.15)
        elif self.portrait:
            heading.to_edge(UP, buff=MARGIN + 0.2)
            plots.next_to(heading, DOWN, buff=0.9).to_edge(RIGHT, buff=MARGIN + 0.1)
            side.next_to(plots, DOWN, buff=gap_below).set_x(0)
            low = side.get_bottom()[1] - (-fh / 2 + MARGIN + 0.05)
            if low < 0:  # large text (high-contrast): close the gap under the heading instead
                VGroup(plots, side).shift(UP * -low)
        else:
            plots.to_edge(RIGHT, buff=MARGIN + 0.1).set_y(-0.1)
            side.to_edge(LEFT, buff=MARGIN + 0.1)
