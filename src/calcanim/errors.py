"""The errors calcanim raises. Library code raises them; only the CLI prints and exits."""


class CalcanimError(Exception):
    """Any problem a user can fix: the message names what is wrong and how to fix it."""


class ParamError(CalcanimError):
    """A scene parameter is unknown, of the wrong type, or out of range."""


class ConfigFileError(CalcanimError):
    """A config or lesson file cannot be read or is not valid TOML."""


class ExpressionError(CalcanimError):
    """A user-written expression is not in calcanim's expression language."""


class UnknownSceneError(CalcanimError):
    """No scene has the requested name."""


class RenderError(CalcanimError):
    """Rendering or writing the output failed."""
