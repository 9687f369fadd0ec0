"""Each layer of calcanim may import only the layers below it (an allow-list, as click's
tests/test_imports.py does): checked at run time in a fresh interpreter per layer (what importing a
layer really loads, via sys.modules) and statically over every import statement, the ones inside
functions included. The checkers are shown to catch a deliberate wrong import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "calcanim"

#: layer -> the layers it may import directly. A layer is a top-level module or subpackage of calcanim;
#: the package itself (``calcanim.__version__``) may be imported by any layer.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "formats": {"errors"},
    "json_data": set(),
    "captions": set(),
    "suggest": set(),
    "number_format": set(),
    "correctly_rounded": set(),
    "files": {"errors"},
    "stop_signals": set(),
    "work_limit": {"errors"},
    "expr": {"errors", "suggest"},
    "expression_as_typed": {"expr"},
    "numerics": {"errors", "suggest"},
    "params": {"errors", "expr", "numerics", "suggest", "work_limit"},
    "plans": {"correctly_rounded", "errors", "expr", "expression_as_typed", "number_format", "numerics", "params"},
    "style": {"errors", "files", "settings", "suggest"},
    "settings": {"errors", "files"},
    "registry": {"errors", "params", "plans", "suggest", "work_limit"},
    "clip_key": {"style"},
    "clip": {"clip_key", "errors", "formats", "params", "plans", "registry", "style"},
    "svg_cache": {"files"},
    "manim_speedups": set(),
    "frames_unseen": set(),
    "raster": {"frames_unseen", "numerics", "style"},
    "scenes": {"errors", "expr", "number_format", "numerics", "params", "plans", "raster", "style"},
    "rendering": {"captions", "clip", "errors", "files", "formats", "frames_unseen", "manim_speedups", "params", "registry", "stop_signals",
               "style", "svg_cache"},
    "lesson": {"clip", "errors", "files", "registry", "settings", "suggest"},
    "gallery": {"files"},
    "watch": {"errors"},
    "batch": {"clip", "clip_key", "errors", "files", "gallery", "json_data", "lesson", "rendering", "stop_signals"},
    "audit": {"errors", "manim_speedups", "params", "raster", "registry", "rendering", "stop_signals", "style", "svg_cache"},
    "cli": {"audit", "batch", "clip", "errors", "files", "formats", "json_data", "lesson", "registry", "rendering", "settings", "slides",
            "stop_signals", "style", "watch"},
    "slides": {"batch", "errors", "files"},
    "api": {"batch", "clip", "errors", "formats", "json_data", "lesson", "rendering"},
    "__main__": {"cli"},
}

#: Imports inside a function that point up, each with its reason. Nothing else may.
LAZY_UPWARD = {
    ("scenes", "registry"): "a scene built with no arguments (manim's own command line, tests) takes its "
                            "default params and plan from the registry, the one place that wires a clip",
}


def layer_of(module: str) -> str:
    """``calcanim.plans.limit_climb`` -> ``plans``; ``calcanim`` itself -> ``calcanim``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "calcanim"


def closure(layer: str) -> set[str]:
    """Every layer ``layer`` may load, directly or through the layers it imports."""
    seen, todo = {layer}, [layer]
    while todo:
        for below in ALLOWED[todo.pop()]:
            if below not in seen:
                seen.add(below)
                todo.append(below)
    return seen | {"calcanim"}


def modules_of(layer: str) -> list[str]:
    path = PACKAGE / layer
    if path.is_dir():
        return sorted(
            "calcanim." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
            for p in path.rglob("*.py")
        )
    return [f"calcanim.{layer}"]


def loaded_by(modules: Iterable[str], extra: str = "") -> set[str]:
    """The calcanim modules a fresh interpreter has loaded after importing ``modules`` (and running ``extra``)."""
    statements = [f"import {m}" for m in modules if not m.endswith("__main__")] + ([extra] if extra else [])
    code = "; ".join(["import sys, json", *statements, "print(json.dumps(sorted(sys.modules)))"])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m for m in json.loads(done.stdout.splitlines()[-1]) if m == "calcanim" or m.startswith("calcanim.")}


def runtime_violations(layer: str, extra: str = "") -> set[str]:
    allowed = closure(layer)
    return {m for m in loaded_by(modules_of(layer), extra) if layer_of(m) not in allowed}


def import_edges(source: str, module: str) -> Iterable[tuple[str, str, bool]]:
    """(importing module, imported calcanim module, inside a function?) for every import in ``source``."""
    tree = ast.parse(source)
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested.update(id(inner) for inner in ast.walk(node) if inner is not node)
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.removesuffix(".__init__").split(".")
                target = ".".join(base[: len(base) - node.level + 1] + ([target] if target else []))
            # from the package root, the names are layers (or the version): from calcanim import render
            names = [f"{target}.{a.name}" for a in node.names] if target == "calcanim" else [target]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("calcanim.") or name == "calcanim":
                yield module, name, id(node) in nested


def static_violations(sources: Mapping[str, str]) -> list[str]:
    """Every import of a layer not on the importing layer's allow-list (a lazy one needs a reason)."""
    found = []
    for module, source in sources.items():
        for importer, imported, lazy in import_edges(source, module):
            a, b = layer_of(importer), layer_of(imported)
            b = b if b in ALLOWED else "calcanim"  # calcanim.__version__
            if a == b or b == "calcanim" or b in ALLOWED[a]:
                continue
            if lazy and (a, b) in LAZY_UPWARD:
                continue
            found.append(f"{importer} imports {imported}")
    return found


def all_sources() -> dict[str, str]:
    return {
        "calcanim." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts): p.read_text(encoding="utf-8")
        for p in PACKAGE.rglob("*.py")
    }


def test_every_layer_is_on_the_allow_list() -> None:
    layers = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
              if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").is_file())}
    assert layers == set(ALLOWED), "add a new module to ALLOWED with the layers it may import"


def test_no_module_imports_a_layer_it_is_not_allowed_to() -> None:
    assert static_violations(all_sources()) == []


def test_the_layers_form_no_cycle() -> None:
    graph = {layer: set(below) for layer, below in ALLOWED.items()}
    for (a, b) in LAZY_UPWARD:
        graph[a].add(b)
    state: dict[str, str] = {}

    def visit(layer: str, path: list[str]) -> None:
        state[layer] = "open"
        for below in graph[layer]:
            assert state.get(below) != "open", f"import cycle: {' -> '.join(path + [layer, below])}"
            if below not in state:
                visit(below, path + [layer])
        state[layer] = "done"

    for layer in graph:
        if layer not in state:
            visit(layer, [])


def test_importing_each_layer_loads_only_the_layers_below_it() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(ALLOWED, pool.map(runtime_violations, ALLOWED)))
    assert {layer: found for layer, found in results.items() if found} == {}


def test_the_checks_catch_a_deliberate_wrong_import() -> None:
    # run time: numerics that imported params (simulated by importing it in the same fresh interpreter)
    assert runtime_violations("numerics", extra="import calcanim.params.base") == {
        "calcanim.params", "calcanim.params.base", "calcanim.work_limit"}
    # statically: a lesson module that imports the renderer, at the top or inside a function
    wrong = {
        "calcanim.lesson": "from calcanim.rendering import RenderOptions\n",
        "calcanim.numerics.limits": "def f():\n    from calcanim.params.base import SceneParams\n",
        "calcanim.scenes.base": "def f():\n    from calcanim.registry import SCENES\n",  # the one reasoned exception
        "calcanim.plans.limit_climb": "from ..numerics import limits\nfrom .. import rendering\n",
    }
    assert static_violations(wrong) == [
        "calcanim.lesson imports calcanim.rendering",
        "calcanim.numerics.limits imports calcanim.params.base",
        "calcanim.plans.limit_climb imports calcanim.rendering",
    ]


@pytest.mark.parametrize("statement", [
    "import calcanim.numerics, calcanim.params, calcanim.registry, calcanim.settings, calcanim.expr, calcanim.clip",
    "import calcanim.lesson, calcanim.batch, calcanim.rendering",
])
def test_the_layers_below_the_scenes_never_load_manim(statement: str) -> None:
    code = f"import sys; {statement}; print('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
