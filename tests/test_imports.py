"""The fast commands must not pay for manim: importing the pure layers leaves manim unloaded."""

import subprocess
import sys


def loaded_modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


def test_numerics_params_registry_do_not_import_manim() -> None:
    modules = loaded_modules_after(
        "import calcanim.numerics, calcanim.params, calcanim.registry, calcanim.settings, calcanim.expr"
    )
    assert "calcanim.registry" in modules
    assert "manim" not in modules


def test_every_plan_computes_without_manim() -> None:
    modules = loaded_modules_after(
        "from calcanim.registry import SCENES; [e.plan(e.params_class()) for e in SCENES.values()]"
    )
    assert "manim" not in modules


def test_cli_list_and_help_do_not_import_manim_or_sympy() -> None:
    modules = loaded_modules_after(
        "from click.testing import CliRunner; from calcanim.cli import main; "
        "CliRunner().invoke(main, ['list']); CliRunner().invoke(main, ['show', 'limit-climb'])"
    )
    assert "manim" not in modules
    assert "sympy" not in modules
