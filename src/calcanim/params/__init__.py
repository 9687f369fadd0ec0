"""Scene parameters: one frozen dataclass per scene, built from TOML tables or ``--set`` pairs."""

from calcanim.params.base import ParamInfo, SceneParams, param

__all__ = ["ParamInfo", "SceneParams", "param"]
