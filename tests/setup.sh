#!/bin/sh
# Installs everything the whole test suite needs, on a fresh machine with Python 3.11 and pip:
# the package with its test extras (scikit-learn among them: the oracle of the digits micrograd ships), PyTorch's
# CPU build (an oracle for the tests), the site extra (python docs/build.py), and, through apt-get when
# run as root, Chromium (the browser tests), Graphviz (the system renderer) and npm (the site's build
# downloads Pyodide and Graphviz for the browser with it).
# tests/constraints.txt pins hypothesis, ruff, pytest and mypy, so every machine runs the same checks.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if ! command -v chromium >/dev/null 2>&1 || ! command -v dot >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium graphviz fonts-dejavu-core \
            nodejs npm
    fi
fi
python -m pip install -q -c tests/constraints.txt -e ".[dev,site]" "torch==2.13.0"
