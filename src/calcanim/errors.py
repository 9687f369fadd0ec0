"""The errors calcanim raises. Library code raises them; only the CLI prints and exits."""


class CalcanimError(ValueError):
    """Any problem a user can fix: the message names what is wrong and how to fix it (a ValueError, so
    library callers may catch either)."""


class ParamError(CalcanimError):
    """A scene parameter or render option is unknown, of the wrong type, or out of range.

    ``field`` names the key at fault (when one is), ``source`` where it was written: a file and
    line (``scenes/x.toml line 14``) or ``--set``. Both are filled in by whoever knows them.
    """

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.source = source

    def __reduce__(self) -> tuple[object, ...]:  # keep field and source across process boundaries
        return (_rebuild_param_error, (str(self), self.field, self.source))


def _rebuild_param_error(message: str, field: str | None, source: str | None) -> ParamError:
    return ParamError(message, field=field, source=source)


class ConfigFileError(CalcanimError):
    """A config or lesson file cannot be read or is not valid TOML."""


class ExpressionError(CalcanimError):
    """A user-written expression is not in calcanim's expression language."""


class UnknownSceneError(CalcanimError):
    """No scene has the requested name."""


class RenderError(CalcanimError):
    """Rendering or writing the output failed."""


#: How much of a user's text a message quotes; the rest is counted, not printed.
QUOTED_CHARACTERS = 100


def quoted(text: str, limit: int = QUOTED_CHARACTERS) -> str:
    """What the user typed, as a message quotes it: repr (a newline shows as ``\\n``, so the message
    stays one line), and only the first ``limit`` characters of a long text.

    >>> quoted("sin(x)"), quoted("x\\n+1")
    ("'sin(x)'", "'x\\\\n+1'")
    >>> quoted("x" * 500, limit=4)
    "'xxxx'... (500 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def one_line(message: str) -> str:
    """``message`` with every line break and other unprintable character written as its escape, so a
    user's text inside it (a file name with a newline, a pasted tab) cannot split the error line.

    >>> one_line("cannot write 'a\\nb.mp4'\\r")
    "cannot write 'a\\\\nb.mp4'\\\\r"
    """
    if message.isprintable():
        return message
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in message)
