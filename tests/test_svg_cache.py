"""The SVG disk cache gives back exactly what manim's own parse builds: same family, same points,
same colours and styles, bit for bit -- cold (parse and write) and warm (read), and after a cache
file was corrupted (parse again and replace it)."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import MathTex, Mobject, tempconfig
from manim.mobject.svg import svg_mobject
from manim.mobject.svg.svg_mobject import SVGMobject

from calcanim import svg_cache
from calcanim.scenes.base import tex_template
from calcanim.svg_cache import svg_cache_dir, svg_disk_cache

#: Formulas covering what a parse can give: glyph paths, rules (fraction bars and roots come out of
#: dvisvgm as <rect>), several parts (MathTex splits by the SVG's group ids), colours set by part.
FORMULAS: list[Callable[[], Mobject]] = [
    lambda: MathTex(r"f'(a) = \lim_{h \to 0} \frac{f(a+h) - f(a)}{h}", tex_template=tex_template()),
    lambda: MathTex(r"\sqrt{x^2 + 1}", r"\approx", r"|x|", tex_template=tex_template(), font_size=30),
    lambda: MathTex(r"{{ e^x }} = {{ \sum_{n=0}^{\infty} \frac{x^n}{n!} }}", tex_template=tex_template()),
    lambda: MathTex(r"\nabla f(x, y) = (2x, 4y)", tex_template=tex_template(),
                    tex_to_color_map={"2x": "#ff8800", "4y": "#3399ff"}),
    lambda: MathTex(r"\frac{\Delta y}{\Delta x}", tex_template=tex_template(), color="#aabbcc", stroke_width=1.5),
    lambda: MathTex(r"0.125", tex_template=tex_template(), font_size=20).scale(1.7),
]


@pytest.fixture(scope="module")
def tex_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LaTeX folder for the module, so each formula compiles once (not in the user's cache)."""
    return tmp_path_factory.mktemp("tex")


@pytest.fixture
def manim_config(tex_dir: Path, tmp_path: Path) -> Iterator[None]:
    with tempconfig({"tex_dir": str(tex_dir), "media_dir": str(tmp_path / "media"), "verbosity": "ERROR"}):
        yield


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CALCANIM_SVG_CACHE", raising=False)
    return tmp_path / "xdg" / "calcanim" / "svg"


def build(make: Callable[[], Mobject]) -> Mobject:
    """Build a formula with manim's in-process SVG cache empty, so its SVG really goes through
    generate_mobject (manim otherwise hands out copies of what it parsed earlier in the process)."""
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    try:
        return make()
    finally:
        svg_mobject.SVG_HASH_TO_MOB_MAP.clear()


def assert_same_value(a: Any, b: Any, where: str) -> None:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and np.array_equal(a, b), where
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_value(x, y, f"{where}[{index}]")
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def assert_same_mobject(reference: Mobject, candidate: Mobject) -> None:
    """Same family (classes, order, tree), and every member has the same points and the same
    attributes (colours, opacities, widths, sheen, joints...); only the discarded path_obj differs."""
    ref_family, new_family = reference.get_family(), candidate.get_family()
    assert [type(m) for m in ref_family] == [type(m) for m in new_family]
    ref_index = {id(m): i for i, m in enumerate(ref_family)}
    new_index = {id(m): i for i, m in enumerate(new_family)}
    for position, (ref, new) in enumerate(zip(ref_family, new_family, strict=True)):
        where = f"family[{position}] {type(ref).__name__}"
        assert np.array_equal(ref.points, new.points), f"{where} points"
        assert [ref_index[id(s)] for s in ref.submobjects] == [new_index[id(s)] for s in new.submobjects], where
        assert set(ref.__dict__) == set(new.__dict__), where
        for name, value in ref.__dict__.items():
            if name in ("submobjects", "path_obj"):
                continue
            if name == "id_to_vgroup_dict":
                assert list(value) == list(new.id_to_vgroup_dict), where
                for group, members in value.items():
                    other = new.id_to_vgroup_dict[group]
                    assert [ref_index.get(id(m)) for m in members.submobjects] == [
                        new_index.get(id(m)) for m in other.submobjects
                    ], f"{where} group {group}"
                    assert np.array_equal(members.get_all_points(), other.get_all_points()), f"{where} group {group}"
                continue
            if isinstance(value, Mobject):
                continue
            assert_same_value(value, new.__dict__[name], f"{where}.{name}")


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_cold_and_warm_cache_build_exactly_what_manim_parses(manim_config: None, cache_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    references = [build(make) for make in FORMULAS]  # manim's own parse, no disk cache
    assert not cache_dir.exists() or not cache_files(cache_dir)

    with svg_disk_cache():
        cold = [build(make) for make in FORMULAS]
    assert len(cache_files(cache_dir)) == len(FORMULAS)
    written = {path: path.stat().st_mtime_ns for path in cache_files(cache_dir)}

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a warm cache must not parse the SVG")

    with monkeypatch.context() as patch:
        patch.setattr(svg_mobject.se.SVG, "parse", no_parsing)
        with svg_disk_cache():
            warm = [build(make) for make in FORMULAS]
            again = [build(make) for make in FORMULAS]  # each hit is a fresh set of shapes

    for reference, built_cold, built_warm, built_again in zip(references, cold, warm, again, strict=True):
        assert_same_mobject(reference, built_cold)
        assert_same_mobject(reference, built_warm)
        assert_same_mobject(reference, built_again)
        assert not {id(m) for m in built_warm.get_family()} & {id(m) for m in built_again.get_family()}
    assert {path: path.stat().st_mtime_ns for path in cache_files(cache_dir)} == written


def test_cached_glyphs_drop_the_svgelements_path(manim_config: None, cache_dir: Path) -> None:
    with svg_disk_cache():
        build(FORMULAS[0])
        warm = build(FORMULAS[0])
    glyphs = [m for m in warm.get_family() if isinstance(m, svg_mobject.VMobjectFromSVGPath)]
    assert glyphs and all(glyph.path_obj is None for glyph in glyphs)
    warm.copy()  # deep copies still work without it


class Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("a cache file must not run code",))


def framed(body: bytes) -> Callable[[str, bytes], bytes]:
    """A well-framed file (right key, right checksum) around a pickle that must still be refused."""
    return lambda key, data: svg_cache._frame(key, body)


#: Each takes the cache file's key and good bytes and returns what is written over them.
CORRUPTIONS: dict[str, Callable[[str, bytes], bytes]] = {
    "empty": lambda key, data: b"",
    "truncated": lambda key, data: data[: len(data) // 2],
    "garbage": lambda key, data: bytes(range(256)) * 8,
    "one byte in the points": lambda key, data: data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1])
    + data[len(data) // 2 + 1 :],
    "bare pickle": lambda key, data: pickle.dumps({"format": 1, "mobjects": [], "groups": {}}),
    "another key's file": lambda key, data: svg_cache._frame("0" * 64, svg_cache._unframe(key, data)),
    "wrong payload": framed(pickle.dumps({"format": 1, "mobjects": [1, 2], "groups": {}})),
    "other format": framed(pickle.dumps([1, 2, 3])),
    "code": framed(pickle.dumps({"format": 1, "mobjects": [Boom()], "groups": {}})),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_corrupt_cache_file_is_parsed_again_and_replaced(manim_config: None, cache_dir: Path,
                                                         corrupt: Callable[[str, bytes], bytes],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    make = FORMULAS[1]
    reference = build(make)
    with svg_disk_cache():
        build(make)
    (path,) = cache_files(cache_dir)
    good = path.read_bytes()
    path.write_bytes(corrupt(path.stem, good))

    with svg_disk_cache():
        rebuilt = build(make)
    assert_same_mobject(reference, rebuilt)
    assert "must not run code" not in capsys.readouterr().out
    assert cache_files(cache_dir) == [path]
    assert path.read_bytes() == good  # replaced by a fresh, identical parse
    assert not list(cache_dir.glob(".*partial"))  # no temp file left behind


def test_restricted_unpickler_refuses_what_a_parse_cannot_contain() -> None:
    with pytest.raises(pickle.UnpicklingError, match="not part of a parsed SVG"):
        svg_cache._decode(pickle.dumps(Boom()))
    with pytest.raises(pickle.UnpicklingError):
        svg_cache._decode(pickle.dumps({"format": 1, "mobjects": [Path("x")], "groups": {}}))


def test_unreadable_cache_folder_falls_back_to_parsing(manim_config: None, tmp_path: Path) -> None:
    missing = tmp_path / "not-a-folder"
    missing.write_text("a file where the cache folder should be")
    reference = build(FORMULAS[4])
    with svg_disk_cache(missing / "svg"):
        assert_same_mobject(reference, build(FORMULAS[4]))


def test_original_method_is_restored_on_exit_and_on_error(cache_dir: Path) -> None:
    original = SVGMobject.__dict__["generate_mobject"]
    with svg_disk_cache():
        patched = SVGMobject.__dict__["generate_mobject"]
        assert patched is not original
        with svg_disk_cache():  # nested: stays the one wrapper
            assert SVGMobject.__dict__["generate_mobject"] is patched
        assert SVGMobject.__dict__["generate_mobject"] is patched
    assert SVGMobject.__dict__["generate_mobject"] is original
    with pytest.raises(RuntimeError), svg_disk_cache():
        raise RuntimeError("scene failed")
    assert SVGMobject.__dict__["generate_mobject"] is original


def test_switched_off_by_environment(manim_config: None, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALCANIM_SVG_CACHE", "0")
    original = SVGMobject.__dict__["generate_mobject"]
    with svg_disk_cache():
        assert SVGMobject.__dict__["generate_mobject"] is original
        build(FORMULAS[1])
    assert not cache_dir.exists() or not cache_files(cache_dir)


def test_cache_folder_follows_xdg_cache_home(cache_dir: Path) -> None:
    assert svg_cache_dir() == cache_dir
    assert cache_dir.is_dir()
