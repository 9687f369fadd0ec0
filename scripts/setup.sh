#!/usr/bin/env bash
# Set up calcanim on a Debian/Ubuntu machine: system packages, a .venv, the package.
# Idempotent: a second run checks and skips what is done.
#
#   scripts/setup.sh          what rendering needs
#   scripts/setup.sh --test   that, plus what the tests need (test extras, Chromium for the gallery check)
#   scripts/setup.sh --bench  that, plus texlive-latex-extra for the plain-manim reference clips in bench/
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TESTS=0
WITH_BENCH=0
for arg in "$@"; do
    case "$arg" in
        --test) WITH_TESTS=1 ;;
        --bench) WITH_TESTS=1; WITH_BENCH=1 ;;
        *) echo "setup: unknown option $arg (use --test or --bench)" >&2; exit 2 ;;
    esac
done

# cairo and pango headers and pkg-config build pycairo and ManimPango; a C compiler and the Python
# headers build them; texlive-latex-base (article, amsmath, amssymb) and dvisvgm typeset formulas
# (calcanim's TeX template needs nothing from texlive-latex-extra); DejaVu is the text font.
SYSTEM_PACKAGES=(build-essential python3-dev python3-venv pkg-config libcairo2-dev libpango1.0-dev
                 texlive-latex-base dvisvgm fonts-dejavu-core)
TEST_SYSTEM_PACKAGES=(chromium chromium-driver)
# manim's default TeX template (used by the plain-manim reference clips, not by calcanim) needs standalone.cls.
BENCH_SYSTEM_PACKAGES=(texlive-latex-extra)
PYTHON="${PYTHON:-python3}"
VENV=.venv

say() { printf 'setup: %s\n' "$*" >&2; }

missing_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$pkg"
    done
}

install_system_packages() {
    local wanted=("${SYSTEM_PACKAGES[@]}")
    (( WITH_TESTS )) && wanted+=("${TEST_SYSTEM_PACKAGES[@]}")
    (( WITH_BENCH )) && wanted+=("${BENCH_SYSTEM_PACKAGES[@]}")
    if ! command -v dpkg-query >/dev/null; then
        say "not a Debian-like system: install cairo, pango, pkg-config, LaTeX and dvisvgm yourself"
        return
    fi
    local missing
    missing=$(missing_packages "${wanted[@]}")
    if [[ -z "$missing" ]]; then
        say "system packages: all present"
        return
    fi
    local command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing"
    if [[ $(id -u) -ne 0 ]]; then
        say "missing system packages: $missing"
        say "run this as root, then run setup again:"
        printf '  sudo sh -c "%s"\n' "$command" >&2
        exit 1
    fi
    say "installing system packages: $missing"
    local start=$SECONDS
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
    say "system packages installed in $((SECONDS - start)) s"
}

make_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            say "calcanim needs Python >= 3.11; $PYTHON is $("$PYTHON" --version 2>&1). Set PYTHON=/path/to/python3.11"
            exit 1
        }
        say "creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local extras="" want stamp="$VENV/.calcanim-installed"
    (( WITH_TESTS )) && extras="[test]"
    want="$(sha256sum pyproject.toml | cut -c1-16)$extras"
    if [[ -f "$stamp" && "$(cat "$stamp")" == *"$want"* ]] && "$VENV/bin/python" -c "import calcanim, manim" 2>/dev/null; then
        say "python package: installed"
        return
    fi
    say "installing calcanim$extras into $VENV (first time: a few minutes, it compiles pycairo)"
    local start=$SECONDS
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
    if [[ -f "$stamp" ]]; then echo "$want" >>"$stamp"; else echo "$want" >"$stamp"; fi
    say "python package installed in $((SECONDS - start)) s"
}

compile_bytecode() {
    # Where PYTHONDONTWRITEBYTECODE is set, stale or missing .pyc files are recompiled by every process
    # (measured: importing manim 7.4 s instead of 0.8 s). Cheap when everything is up to date.
    "$VENV/bin/python" -m compileall -q -j 0 "$VENV/lib" src >/dev/null 2>&1 || true
}

install_system_packages
make_venv
compile_bytecode
say "ready: $VENV/bin/calcanim"
