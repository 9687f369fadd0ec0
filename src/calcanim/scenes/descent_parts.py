"""What the two descent clips (gradient-descent, descent-1d) draw alike: run colours kept apart from the status
colours, status glyphs, and the loss-per-step inset on a log axis with each run's status at its end."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Line, ManimColor, Mobject, ValueTracker, VGroup, VMobject

from calcanim.scenes.base import CalcanimScene
from calcanim.style.themes import Theme

#: Text sizes of the descent clips: the smallest is at least 2% of the frame's short side for digits and
#: capitals (a lone lowercase letter such as an axis name uses FONT_LETTER).
FONT_MIN = 24
FONT_READ = 28
FONT_LETTER = 34

#: Run colours closer than this (RGB distance, 0..sqrt(3)) to a status colour are not used for runs.
STATUS_COLOUR_DISTANCE = 0.3


def _distance(a: str, b: str) -> float:
    return float(np.linalg.norm(np.array(ManimColor(a).to_rgb()) - np.array(ManimColor(b).to_rgb())))


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21).

    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    """

    def luminance(colour: str) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in ManimColor(colour).to_rgb()]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return float((light + 0.05) / (dark + 0.05))


def run_colours(theme: Theme, count: int) -> list[str]:
    """``count`` run colours: the theme's own first, skipping any that could be mistaken for "converged" (good)
    or "diverged" (bad); then, if more are needed, hues at the theme's run saturation and brightness, each
    chosen as far as possible from the colours already taken, the status colours and the background."""
    import colorsys

    def clear_of_status(colour: str) -> bool:
        return min(_distance(colour, theme.good), _distance(colour, theme.bad)) > STATUS_COLOUR_DISTANCE

    chosen = [c for c in theme.runs if clear_of_status(c)][:count]
    if len(chosen) < count:
        hsv = [colorsys.rgb_to_hsv(*ManimColor(c).to_rgb()) for c in theme.runs]
        saturation = float(np.median([h[1] for h in hsv]))
        value = float(np.median([h[2] for h in hsv]))
        candidates = [
            ManimColor.from_rgb(colorsys.hsv_to_rgb(hue / 360, sat, val)).to_hex()
            for hue in range(0, 360, 10)
            for sat, val in ((saturation, value), (saturation * 0.45, value))
        ]
        status_hues = [colorsys.rgb_to_hsv(*ManimColor(c).to_rgb())[0] * 360 for c in (theme.good, theme.bad)]

        def hue_apart(colour: str) -> bool:  # no greens or reds that read as a status
            hue = colorsys.rgb_to_hsv(*ManimColor(colour).to_rgb())[0] * 360
            return all(min(abs(hue - h), 360 - abs(hue - h)) >= 70 for h in status_hues)

        candidates = [
            c for c in candidates if clear_of_status(c) and hue_apart(c) and contrast_ratio(c, theme.background) >= 4.5  # legend text is set in them
        ]
        while len(chosen) < count and candidates:
            taken = [*chosen, theme.good, theme.bad, theme.background]
            best = max(candidates, key=lambda c: min(_distance(c, t) for t in taken))
            chosen.append(best)
            candidates.remove(best)
    return ((chosen or [theme.curve]) * (count // max(len(chosen), 1) + 1))[:count]


def status_colour(theme: Theme, status: str) -> str:
    return {"diverged": theme.bad, "converged": theme.good}.get(status, theme.muted)


def status_glyph(theme: Theme, status: str, size: float, width: float) -> VMobject:
    """A check (converged), a cross (diverged) or an arrow pointing on (still moving), centred at the origin."""
    colour = status_colour(theme, status)
    s = size
    if status == "converged":
        glyph = VMobject(stroke_color=colour, stroke_width=width)
        glyph.set_points_as_corners([np.array([-s, 0.0, 0]), np.array([-0.3 * s, -0.7 * s, 0]), np.array([s, 0.8 * s, 0])])
    elif status == "diverged":
        glyph = VGroup(
            Line([-s, -s, 0], [s, s, 0], stroke_width=width, color=colour),
            Line([-s, s, 0], [s, -s, 0], stroke_width=width, color=colour),
        )
    else:
        glyph = VMobject(stroke_color=colour, stroke_width=width)
        glyph.set_points_as_corners([np.array([-s, 0.0, 0]), np.array([s, 0.0, 0]), np.array([0.4 * s, 0.6 * s, 0]),
                                     np.array([s, 0.0, 0]), np.array([0.4 * s, -0.6 * s, 0])])
    return glyph


@dataclass(frozen=True)
class InsetRun:
    """One run's curve in the inset: (step, log10 gap) points, its colour, status and the step its glyph shows."""

    curve: np.ndarray
    colour: str
    status: str
    done_at: float  # the step at which the run's status is known (its glyph appears)
    #: Drawn dashed, over an earlier run whose line it coincides with (so both stay visible).
    dashed: bool = False


#: Dash and gap of a dashed inset line (manim units along the line).
DASH, DASH_GAP = 0.14, 0.1


def dash_polyline(points: Sequence[np.ndarray], dash: float = DASH, gap: float = DASH_GAP) -> list[list[np.ndarray]]:
    """The polyline through ``points`` cut into dashes ``dash`` long with ``gap`` between them.

    >>> [[round(float(p[0]), 6) for p in d] for d in dash_polyline([np.zeros(3), np.array([0.5, 0.0, 0.0])], 0.2, 0.1)]
    [[0.0, 0.2], [0.3, 0.5]]
    """
    dashes: list[list[np.ndarray]] = []
    current: list[np.ndarray] = []
    along = 0.0  # position within the current dash + gap period
    for a, b in zip(points[:-1], points[1:]):
        length = float(np.linalg.norm(b - a))
        done = 0.0
        while done < length - 1e-12:
            if along < dash:  # inside a dash
                take = min(dash - along, length - done)
                if not current:
                    current.append(a + (b - a) * (done / length))
                done += take
                along += take
                current.append(a + (b - a) * (done / length))
                if along >= dash - 1e-12:
                    dashes.append(current)
                    current = []
            else:  # inside a gap
                take = min(dash + gap - along, length - done)
                done += take
                along += take
                if along >= dash + gap - 1e-12:
                    along = 0.0
    if len(current) >= 2:
        dashes.append(current)
    return dashes


def set_dashed(mob: VMobject, points: Sequence[np.ndarray]) -> None:
    """mob's points: the polyline through ``points``, dashed (a point when too short for a dash: a
    mobject without points would drop out of an animation's family)."""
    dashes = dash_polyline(points)
    if not dashes:
        mob.set_points_as_corners([points[0], points[0]])
        return
    mob.clear_points()
    for dash in dashes:
        mob.start_new_path(dash[0])
        mob.add_points_as_corners(dash[1:])


class PlotFrame:
    """A data box mapped onto a screen rectangle, with an L-shaped frame (left and bottom edges)."""

    def __init__(self, box: tuple[float, float, float, float], left: float, bottom: float, width: float, height: float) -> None:
        self.box, self.left, self.bottom, self.width, self.height = box, left, bottom, width, height

    def c2p(self, x: float, y: float) -> np.ndarray:
        x0, x1, y0, y1 = self.box
        return np.array([self.left + (x - x0) / (x1 - x0) * self.width, self.bottom + (y - y0) / (y1 - y0) * self.height, 0.0])


LOG_SCALE_TEX = r"\text{(log scale)}"


def inset_title(scene: CalcanimScene, label_tex: str, context_lines: Sequence[str], width: float) -> VGroup:
    """The loss inset's title within ``width``: on one row, ``context_lines`` (joined by spaces), then the axis'
    name ``label_tex`` and "(log scale)"; where that is too wide, each context line on a line of its own, flush
    left, then the name with "(log scale)" beside it, or under it when even that is too wide."""
    muted = scene.theme.muted

    def tex(text: str) -> Mobject:
        return scene.math(text, size=FONT_MIN, colour=muted)

    named = label_tex + r"\ \ " + LOG_SCALE_TEX
    if context_lines:
        row = tex(r"\ ".join(context_lines) + r";\quad " + named)
    else:
        row = tex(named)
    if row.width <= width or not context_lines:  # a bare name keeps its one line, as before
        return VGroup(row)
    lines = [tex(line) for line in context_lines]
    last = tex(named)
    lines += [last] if last.width <= width else [tex(label_tex), tex(LOG_SCALE_TEX)]
    return VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.08)


def log_loss_inset(
    scene: CalcanimScene,
    centre: np.ndarray,
    width: float,
    height: float,
    steps: int,
    log_range: tuple[float, float],
    ticks: Sequence[tuple[float, str]],
    label_tex: str,
    runs: Sequence[InsetRun],
    step_now: Callable[[], float],
    notes: Sequence[tuple[str, str]] = (),
    context_lines: Sequence[str] = (),
    glyph_notes: Sequence[tuple[str, str]] = (),
) -> VGroup:
    """A frame (step, log10 of the loss gap) with decade labels, curves growing with step_now(), and each run's
    status glyph at the end of its curve once it is decided; ``notes`` ((TeX, colour): what a dashed line
    means) go under the step axis, each after a dashed swatch, and ``glyph_notes`` ((TeX, status): what a
    status glyph means) after that glyph. The title is ``label_tex`` (the axis' name) with "(log scale)";
    ``context_lines`` (what the axis is measured from) come before it (see inset_title)."""
    theme = scene.theme
    muted = theme.muted
    low, high = log_range
    tick_mobs = [(value, scene.math(tex, size=FONT_MIN, colour=muted)) for value, tex in ticks]
    label_w = max([m.width for _, m in tick_mobs], default=0.3) + 0.15
    title = inset_title(scene, label_tex, context_lines, width)
    step_zero = scene.math("0", size=FONT_MIN, colour=muted)
    step_end = scene.math(str(steps), size=FONT_MIN, colour=muted)
    step_word = scene.math(r"\text{step}", size=FONT_MIN, colour=muted)
    glyph_room = 0.35
    note_rows = VGroup()
    swatches: list[tuple[str, VMobject]] = []
    for tex, colour in notes:
        swatch = VMobject(stroke_color=colour, stroke_width=theme.stroke(5))
        set_dashed(swatch, [LEFT * 0.25, RIGHT * 0.25])
        swatches.append((tex, swatch))
    for tex, status in glyph_notes:
        swatches.append((tex, status_glyph(theme, status, 0.09, theme.stroke(3.5))))
    for tex, swatch in swatches:
        row = VGroup(swatch, scene.math(tex, size=FONT_MIN, colour=muted)).arrange(RIGHT, buff=0.12)
        head, colon, rest = tex.partition(r"\text{: ")
        if row.width > width and colon:  # too wide: "eta = 0.9:" and the rest on a second line
            lines = VGroup(scene.math(head + r"\text{:}", size=FONT_MIN, colour=muted),
                           scene.math(r"\text{" + rest, size=FONT_MIN, colour=muted))
            lines.arrange(DOWN, aligned_edge=LEFT, buff=0.06)
            row = VGroup(swatch, lines).arrange(RIGHT, buff=0.12, aligned_edge=UP)
            words, closing, after = rest.partition("}")
            if row.width > width and closing:  # still too wide: the words and the other run apart as well
                lines = VGroup(scene.math(head + r"\text{:}", size=FONT_MIN, colour=muted),
                               scene.math(r"\text{" + words.strip() + "}", size=FONT_MIN, colour=muted),
                               scene.math(after, size=FONT_MIN, colour=muted))
                lines.arrange(DOWN, aligned_edge=LEFT, buff=0.06)
                row = VGroup(swatch, lines).arrange(RIGHT, buff=0.12, aligned_edge=UP)
        note_rows.add(row)
    notes_h = 0.0
    if swatches:
        note_rows.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        if note_rows.width > width:
            note_rows.scale_to_fit_width(width)
        notes_h = note_rows.height + 0.2
    plot_w = max(width - label_w - glyph_room, 1.0)
    plot_h = max(height - title.height - step_end.height - 0.5 - notes_h, 0.6)
    left = centre[0] - width / 2 + label_w
    bottom = centre[1] - height / 2 + step_end.height + 0.15 + notes_h
    frame = PlotFrame((0.0, float(steps), low, high), left, bottom, plot_w, plot_h)
    c2p = frame.c2p
    axis_style = {"color": theme.axis, "stroke_width": theme.stroke(2)}
    lines = VGroup(Line(c2p(0, low), c2p(0, high), **axis_style), Line(c2p(0, low), c2p(steps, low), **axis_style))
    for value, mob in tick_mobs:
        mob.next_to(c2p(0, value), LEFT, buff=0.1)
        lines.add(Line(c2p(0, value), c2p(0, value) + RIGHT * 0.08, **axis_style))
    title.next_to(c2p(0, high), UP, buff=0.2)
    title.align_to(np.array([centre[0] - width / 2, 0, 0]), LEFT)
    step_zero.next_to(c2p(0, low), DOWN, buff=0.08)
    step_end.next_to(c2p(steps, low), DOWN, buff=0.08)
    step_word.next_to(step_end, LEFT, buff=0.25)
    if swatches:
        note_rows.next_to(step_end, DOWN, buff=0.15)
        note_rows.align_to(np.array([centre[0] - width / 2, 0, 0]), LEFT)
    curves, glyphs = VGroup(), VGroup()
    placed: list[np.ndarray] = []  # glyph centres so far: a glyph that would sit on another moves aside
    for run in runs:
        # a dashed line is wider than the solid one under it, so its dashes stand out of that line
        curve = VMobject(stroke_color=run.colour, stroke_width=theme.stroke(5 if run.dashed else 3))
        curve.set_points_as_corners([c2p(0, run.curve[0, 1])] * 2)
        glyph = status_glyph(theme, run.status, 0.09, theme.stroke(3.5))
        end = run.curve[-1]
        at_top = end[1] >= high - 1e-9
        centre = c2p(end[0], end[1]) + (RIGHT * 0.2 if at_top else RIGHT * 0.2 + UP * 0.06)
        while any(np.linalg.norm(centre - other) < 0.2 for other in placed):
            # above the other, or beside it where above would leave the plot for the title
            higher = centre + UP * 0.2
            centre = higher if higher[1] <= c2p(0, high)[1] + 0.05 else centre + RIGHT * 0.2
        placed.append(centre)
        glyph.move_to(centre)
        glyph.set_stroke(opacity=0.0)

        def follow(mob: VMobject, run: InsetRun = run, glyph: VMobject = glyph) -> None:
            step = step_now()
            curve_points = run.curve
            shown = curve_points[curve_points[:, 0] <= step]
            if 0 < len(shown) < len(curve_points):
                nxt, prev = curve_points[len(shown)], shown[-1]
                t = (step - prev[0]) / (nxt[0] - prev[0]) if nxt[0] > prev[0] else 0.0
                shown = np.vstack([shown, prev + t * (nxt - prev)])
            points = [c2p(s, v) for s, v in shown]
            if run.dashed:
                set_dashed(mob, points if len(points) > 1 else points * 2)
            else:
                mob.set_points_as_corners(points if len(points) > 1 else points * 2)
            visible = 1.0 if step >= run.done_at - 1e-9 else 0.0
            if glyph.get_stroke_opacity() != visible:
                glyph.set_stroke(opacity=visible)

        curve.add_updater(follow)
        curves.add(curve)
        glyphs.add(glyph)
    labels = VGroup(*[m for _, m in tick_mobs], title, step_zero, step_end, step_word, *note_rows)
    return VGroup(lines, labels, curves, glyphs)


def descend_revealing(
    scene: CalcanimScene, clock: ValueTracker, start: float, reveals: Sequence[tuple[float, Mobject]], seconds: float
) -> None:
    """Run the descent's clock from ``start`` for ``seconds`` (in plays of whole frames, ``run_clock``), adding each
    of ``reveals`` (seconds into the descent, a run's verdict) when its time comes."""
    elapsed = 0.0
    for at, mobject in reveals:
        at = min(at, seconds)
        if at > elapsed + 1e-9:
            scene.run_clock(clock, start + at, run_time=at - elapsed)
            elapsed = at
        scene.add(mobject)
    if seconds > elapsed + 1e-9:
        scene.run_clock(clock, start + seconds, run_time=seconds - elapsed)


def step_counter(scene: CalcanimScene, steps: int, step_now: Callable[[], float], size: float) -> VGroup:
    """'step k of N', k counting the optimizer steps as they happen (room kept for N's digits)."""
    label = scene.math(r"\text{step}", size=size)
    number = scene.number(steps, 0, size=size)
    total = scene.math(rf"\text{{of}}\ {steps}", size=size)
    group = VGroup(label, number, total).arrange(RIGHT, buff=0.15)

    def follow(mob: Mobject) -> None:
        mob.set_value(min(int(step_now()), steps))
        mob.shift(RIGHT * (label.get_right()[0] + 0.15 - mob.get_left()[0]))

    follow(number)
    number.add_updater(follow)
    return group


def rate_decimals(smallest: float) -> int:
    """Decimals that show a rate as small as ``smallest`` with at least two significant digits (2 to 8).

    >>> rate_decimals(0.1), rate_decimals(6.25e-05), rate_decimals(1.5)
    (2, 6, 2)
    """
    if not smallest > 0:
        return 2
    return int(min(8, max(2, 1 - math.floor(math.log10(smallest)))))


def live_rate(
    scene: CalcanimScene, rate_at: Callable[[float], float], smallest: float, colour: str, size: float,
    step_now: Callable[[], float],
) -> VGroup:
    """'eta_k = 0.0735', the number following the schedule as the steps go by, on the formula's baseline."""
    label = scene.math(r"\eta_k =", size=size, colour=colour)
    number = scene.number(rate_at(0.0), rate_decimals(smallest), size=size, colour=colour)
    group = VGroup(label, number).arrange(RIGHT, buff=0.12)
    equals = label[0][-1]

    def follow(mob: Mobject) -> None:
        mob.set_value(rate_at(step_now()))
        mob.shift(RIGHT * (equals.get_right()[0] + 0.12 - mob.get_left()[0])
                  + UP * (equals.get_center()[1] - mob.get_center()[1]))

    follow(number)
    number.add_updater(follow)
    return group


def fit_into(group: Mobject, centre: np.ndarray, width: float, height: float, align_left: bool = True) -> Mobject:
    """Scale a group down (never up) to fit a box and place it there (left-aligned by default)."""
    if group.width > width or group.height > height:
        group.scale(min(width / group.width, height / group.height))
    group.move_to(centre)
    if align_left:
        group.align_to(centre + LEFT * width / 2, LEFT)
    return group
