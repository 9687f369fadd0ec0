"""Caption files: WebVTT from the SubRip manim writes, for HTML <track> elements."""

from __future__ import annotations

import re

_SRT_TIME = re.compile(r"(\d{2}:\d{2}:\d{2}),(\d{3})")


def srt_to_vtt(srt: str) -> str:
    """Convert SubRip text to WebVTT: a header, and '.' instead of ',' before milliseconds.

    >>> print(srt_to_vtt("1\\n00:00:00,000 --> 00:00:02,500\\nHello\\n"))
    WEBVTT
    <BLANKLINE>
    1
    00:00:00.000 --> 00:00:02.500
    Hello
    <BLANKLINE>
    """
    body = _SRT_TIME.sub(r"\1.\2", srt.replace("\r\n", "\n")).strip("\n")
    return f"WEBVTT\n\n{body}\n"
