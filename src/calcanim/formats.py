"""The output formats calcanim writes, in one place (the CLI's choices, options' checks, captions)."""

from __future__ import annotations

#: Every format ``--format`` accepts, the default first.
FORMATS = ("mp4", "webm", "gif", "png", "mov")
#: Formats with an alpha channel, for ``--transparent``.
TRANSPARENT_FORMATS = ("webm", "mov", "png")
#: Formats a player shows with a captions track (.srt/.vtt beside them).
CAPTIONED_FORMATS = ("mp4", "webm", "mov")
