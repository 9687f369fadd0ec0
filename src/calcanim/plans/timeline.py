"""How most clips spend their seconds: an intro, a main part whose length the params choose, and an
ending. A plan mixes in one of these and gets the :class:`~calcanim.plans.base.Plan` protocol's
``duration`` and ``poster_time`` from its intro and ending seconds and its ``main_seconds``."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

#: A poster taken this long before the end: everything drawn and still on screen.
POSTER_BEFORE_END = 0.5


class IntroMainEnding:
    """Mixin for a plan: intro, ``main_seconds``, ending; the poster half a second before the end.

    The intro and ending are class keywords: ``class SomePlan(IntroMainEnding, intro=1.5, ending=2.5)``.

    >>> class Demo(IntroMainEnding, intro=1.5, ending=2.5):
    ...     main_seconds = 6.0
    >>> Demo().duration, Demo().poster_time, Demo().main_progress(1.5), Demo().main_progress(99.0)
    (10.0, 9.5, 0.25, 1.0)
    """

    intro_seconds: ClassVar[float]
    ending_seconds: ClassVar[float]

    def __init_subclass__(cls, *, intro: float | None = None, ending: float | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if intro is not None:
            cls.intro_seconds = intro
        if ending is not None:
            cls.ending_seconds = ending

    @property
    def main_seconds(self) -> float:
        raise NotImplementedError

    @property
    def duration(self) -> float:
        """Seconds of video: intro, the main part, the ending."""
        return self.intro_seconds + self.main_seconds + self.ending_seconds

    @property
    def poster_time(self) -> float:
        """The most telling frame: the main part done, every mark on screen, nothing fading yet."""
        return self.duration - POSTER_BEFORE_END

    def main_progress(self, seconds_into_main: float) -> float:
        """The share (0 to 1) of the main part played that many seconds into it."""
        return min(max(seconds_into_main / self.main_seconds, 0.0), 1.0)


class DescentParams(Protocol):
    """What a descent clip's params say about its timing: the seconds and the optimizer steps they show."""

    @property
    def duration(self) -> float: ...

    @property
    def steps(self) -> int: ...


class DescentTimeline(IntroMainEnding):
    """Mixin for a descent clip's plan: the main part plays ``params.steps`` optimizer steps evenly over
    ``params.duration`` seconds (subclasses set their own intro and ending)."""

    params: DescentParams

    @property
    def main_seconds(self) -> float:
        return self.params.duration

    def step_at(self, seconds_into_descent: float) -> float:
        """The fractional optimizer step shown that many seconds into the descent."""
        return self.params.steps * self.main_progress(seconds_into_descent)

    def seconds_at_step(self, step: float) -> float:
        """Seconds into the descent at which the given step is shown."""
        return self.params.duration * step / self.params.steps


class EqualPanels(IntroMainEnding):
    """Mixin for a plan whose main part is its panels one after another, ``panel_seconds`` each; the
    poster is taken ``poster_share`` of the way through the first panel."""

    panels: tuple[Any, ...]
    #: How far into the first panel its poster is taken (a subclass sets its own).
    poster_share: ClassVar[float] = 0.9

    @property
    def panel_seconds(self) -> float:
        raise NotImplementedError

    @property
    def main_seconds(self) -> float:
        return len(self.panels) * self.panel_seconds

    @property
    def poster_time(self) -> float:
        """The first panel with everything on screen."""
        return self.intro_seconds + self.poster_share * self.panel_seconds
