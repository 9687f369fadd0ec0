"""The output formats calcanim writes, in one place (the CLI's choices, options' checks, captions)."""

from __future__ import annotations

from calcanim.errors import ParamError

#: Every format ``--format`` accepts, the default first.
FORMATS = ("mp4", "webm", "gif", "png", "mov")
#: Formats with an alpha channel, for ``--transparent``.
TRANSPARENT_FORMATS = ("webm", "mov", "png")
#: x264 presets behind ``--encoder`` (mp4, and the mp4 that gif and png are made from), at crf 23.
#: Measured in bench/RESULTS.md ("Encoder choice"): "small" files are a fraction of "fast" ones for
#: more encoding time.
ENCODERS = {"fast": "ultrafast", "small": "slow"}
#: Formats a player shows with a captions track (.srt/.vtt beside them).
CAPTIONED_FORMATS = ("mp4", "webm", "mov")


def format_of_output(path: str, requested: str | None) -> str:
    """The format to write: ``requested`` if given, else the output's extension, else mp4.

    An output name whose extension names another format than ``requested`` is a mistake.

    >>> format_of_output("clip.webm", None)
    'webm'
    >>> format_of_output("clip.webm", "gif")
    Traceback (most recent call last):
    ...
    calcanim.errors.ParamError: output 'clip.webm' is a .webm file but --format is gif; drop --format or name the output clip.gif
    """
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if requested is None:
        if not path:
            return FORMATS[0]
        if suffix not in FORMATS:
            raise ParamError(
                f"output '{path}' has no video extension calcanim writes; end it in one of "
                f"{', '.join('.' + f for f in FORMATS)}",
                field="output",
            )
        return suffix
    if path and suffix in FORMATS and suffix != requested:
        stem = path.rsplit(".", 1)[0]
        raise ParamError(
            f"output '{path}' is a .{suffix} file but --format is {requested}; drop --format or name the "
            f"output {stem.rsplit('/', 1)[-1]}.{requested}",
            field="format",
        )
    return requested
