"""Build the site: ``python docs/build.py`` writes site/, with the browser lab at site/lite/.

The browser lab is a JupyterLite build (jupyterlite-core with the Pyodide kernel) that needs no other host:
Pyodide comes from npm's ``pyodide`` package at the version the kernel expects, Graphviz for the browser from
npm's ``@viz-js/viz``, and micrograd (built from this checkout) with the pure-Python packages the kernel and
micrograd need from PyPI as ``py3-none-any`` wheels, listed in a package lock generated from those wheels.
Every notebook is in the lab (BROWSER_NOTEBOOKS), copied with the browser kernel's name so that it opens without
a dialog; the PyTorch one (06) says there that it runs only on a computer, and how. Progress bars are widgets:
ipywidgets in the kernel, and its JupyterLab extension (jupyterlab_widgets) from the build's environment.

Downloads are kept under ~/.cache/micrograd-site (MICROGRAD_SITE_CACHE elsewhere): a second build is offline.
Every version the site ships is pinned here but Pyodide's, read from the kernel package; the build tools are
pinned in pyproject.toml's ``site`` extra (pip install -e '.[site]'), and checked before building.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
NOTEBOOKS = ROOT / "notebooks"
CACHE = pathlib.Path(os.environ.get("MICROGRAD_SITE_CACHE") or pathlib.Path.home() / ".cache" / "micrograd-site")

VIZ = ("@viz-js/viz", "3.31.0")  # Graphviz compiled to WebAssembly: dist/viz.js, one ES module
# Pure-Python packages the site ships at these versions: those Pyodide's own lock does not name, and tqdm, whose
# version in that lock (4.67.3) does not see Pyodide's kernel as a notebook and so draws text, not a widget.
# The others come at the lock's versions.
WHEELS = {"comm": "0.2.3", "graphviz": "0.21", "ipywidgets": "8.1.9", "tqdm": "4.70.1"}
# Requirements that are front ends, not Python the kernel imports: ipywidgets' for JupyterLab (the extension the
# site serves, from the build's environment: its version is checked) and for the classic Notebook (not used).
FRONT_END = {"jupyterlab-widgets": True, "widgetsnbextension": False}
# What the kernel installs from the lock as it starts (jupyterlite-pyodide-kernel's worker), micrograd aside.
KERNEL_PACKAGES = ["micropip", "comm", "ipython", "jedi"]
# What the kernel loads as it starts besides: micrograd, and ipywidgets for fit's progress bar (tqdm imports it
# inside micrograd, where the kernel, which loads packages from a cell's own imports, would not see it).
PRELOADED = ["ipywidgets"]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"  # the settings of the browser kernel
WIDGETS = "@jupyter-widgets/jupyterlab-manager"  # the JupyterLab extension of ipywidgets (jupyterlab_widgets)
KERNEL = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}  # the browser kernel
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
VIZ_FILE = "viz.js"  # beside the lock: MICROGRAD_VIZ_URL is resolved from there
# Pyodide's environment, for the markers of micrograd's requirements (graphviz-pure: not there)
PYODIDE_ENVIRONMENT = {"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32"}


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def browser_notebooks() -> list[pathlib.Path]:
    """The notebooks of the browser lab, in order: all of them."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


BROWSER_NOTEBOOKS = [nb.stem for nb in browser_notebooks()]


def pyodide_version() -> str:
    """The Pyodide the kernel expects (jupyterlite-pyodide-kernel states it)."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return str(PYODIDE_VERSION)


def npm_package(name: str, version: str) -> pathlib.Path:
    """npm's package name@version, unpacked in the cache (downloaded by npm the first time)."""
    folder = CACHE / "npm" / f"{name.replace('/', '__')}@{version}"
    if not (folder / "package" / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm") is None:
            raise SystemExit("npm is needed to download Pyodide and Graphviz for the browser (apt-get install npm)")
        out = subprocess.run(
            ["npm", "pack", "--silent", f"{name}@{version}", "--pack-destination", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        with tarfile.open(folder / out.stdout.strip().splitlines()[-1]) as tar:
            tar.extractall(folder, filter="data")
    return folder / "package"


def wheel_name(path: pathlib.Path) -> str:
    return canonicalize_name(path.name.split("-")[0])


def pypi_wheels(pins: dict[str, str]) -> dict[str, pathlib.Path]:
    """The py3-none-any wheel of each name==version, from PyPI the first time, then from the cache."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)

    def cached() -> dict[str, pathlib.Path]:
        return {wheel_name(p): p for p in folder.glob("*.whl") if pins.get(wheel_name(p)) == p.name.split("-")[1]}

    missing = sorted(set(pins) - set(cached()))
    if missing:
        run([
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "--platform", "any", "--python-version", "3.14", "--implementation", "py", "--abi", "none",
            "--dest", str(folder), *(f"{name}=={pins[name]}" for name in missing),
        ])  # fmt: skip
    found = cached()
    if set(found) != set(pins):
        raise SystemExit(f"no py3-none-any wheel on PyPI for {sorted(set(pins) - set(found))}")
    return found


def distribution() -> str:
    """The name micrograd is distributed under (pyproject.toml's), as the package lock spells names."""
    return canonicalize_name(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"])


def micrograd_wheel(folder: pathlib.Path) -> pathlib.Path:
    """micrograd's wheel, built from this checkout."""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(folder),
            str(ROOT),
        ]
    )
    (wheel,) = folder.glob("*.whl")
    return wheel


def requirements_in_browser(wheel: pathlib.Path) -> list[Requirement]:
    """What a wheel requires in Pyodide (its markers evaluated there), extras aside."""
    with zipfile.ZipFile(wheel) as z:
        (metadata,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        lines = z.read(metadata).decode().splitlines()
    found = []
    for line in lines:
        if line.startswith("Requires-Dist:"):
            req = Requirement(line.split(":", 1)[1].strip())
            marker = req.marker or Marker("python_version >= '3'")
            if marker.evaluate({**PYODIDE_ENVIRONMENT, "extra": ""}):
                found.append(req)
    return found


def kernel_side(wheel: pathlib.Path) -> list[str]:
    """The names of the packages a wheel needs in the browser's kernel: its requirements but the front end's,
    which the site serves as JupyterLab extensions; those must be installed at a version the wheel accepts."""
    names = []
    for req in requirements_in_browser(wheel):
        name = canonicalize_name(req.name)
        if name not in FRONT_END:
            names.append(name)
        elif FRONT_END[name] and not req.specifier.contains(importlib.metadata.version(name), prereleases=True):
            raise SystemExit(f"{wheel.name} needs {req}: pin it in pyproject.toml's site extra and install it")
    return names


def closure(roots: list[str], depends: dict[str, list[str]]) -> list[str]:
    """The roots and everything they depend on, by name."""
    seen: list[str] = []
    todo = [canonicalize_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.append(name)
            todo += [canonicalize_name(d) for d in depends.get(name, [])]
    return sorted(seen)


def package_lock(pyodide: pathlib.Path, wheels_folder: pathlib.Path, micrograd: pathlib.Path) -> tuple[dict, list]:
    """Pyodide's lock cut down to what the site ships, each entry naming a wheel of the site and its sha256."""
    base = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))
    known = {canonicalize_name(name): entry for name, entry in base["packages"].items()}
    name_of_micrograd = distribution()
    pinned = pypi_wheels(WHEELS)
    ours = {name: kernel_side(path) for name, path in {**pinned, name_of_micrograd: micrograd}.items()}
    depends = {name: entry["depends"] for name, entry in known.items()} | ours
    names = closure([*KERNEL_PACKAGES, name_of_micrograd, *PRELOADED], depends)
    unknown = [n for n in names if n not in known and n not in ours]
    if unknown:
        raise SystemExit(f"pin these packages in docs/build.py's WHEELS: {unknown}")
    pins = {n: known[n]["version"] for n in names if n not in ours}
    files = {**pypi_wheels(pins), **pinned, name_of_micrograd: micrograd}
    packages = {}
    for name in names:
        path = files[name]
        with zipfile.ZipFile(path) as z:
            tops = sorted(
                {n.split("/")[0] for n in z.namelist() if not n.split("/")[0].endswith((".dist-info", ".data"))}
            )
        entry = dict(known.get(name, {}))
        entry.update({
            "name": name, "version": path.name.split("-")[1], "file_name": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "install_dir": "site",
            "package_type": "package", "depends": sorted(depends.get(name, [])), "unvendored_tests": False,
            "imports": entry.get("imports") or [t.removesuffix(".py") for t in tops],
        })  # fmt: skip
        packages[name] = entry
        shutil.copy(path, wheels_folder / path.name)
    return {"info": base["info"], "packages": packages}, names


def notebook_for_the_browser(source: pathlib.Path, target: pathlib.Path) -> None:
    """A copy of the notebook that names the browser kernel."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {})["kernelspec"] = KERNEL
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def labextension(name: str) -> pathlib.Path:
    """The folder of an installed JupyterLab extension (the Pyodide kernel's, the widgets')."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        if (pathlib.Path(folder) / name / "package.json").exists():
            return pathlib.Path(folder) / name
    raise SystemExit(f"the JupyterLab extension {name} is not installed (pip install micrograd-lab[site])")


def lab_settings() -> dict:
    """jupyter-lite.json: Pyodide and the packages from the site, micrograd loaded as the kernel starts."""
    kernel = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": [distribution(), *PRELOADED], "env": {"MICROGRAD_VIZ_URL": VIZ_FILE}},
    }
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "micrograd lab",
            "litePluginSettings": {KERNEL_PLUGIN: kernel},
        },
    }


def check_tools() -> None:
    """The build tools installed are those pyproject.toml's site extra pins."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for line in extras["site"]:
        req = Requirement(line)
        try:
            found = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            raise SystemExit(f"{req.name} is not installed: pip install -e '.[site]'") from None
        if not req.specifier.contains(found, prereleases=True):
            raise SystemExit(f"{req.name} {found} is installed, the site is built with {req}: pip install -e '.[site]'")


def build_lab(out: pathlib.Path, work: pathlib.Path) -> list[str]:
    """The browser lab, written to out; the names of the packages it ships."""
    lite, contents = work / "lite", work / "contents"
    static = lite / "static" / "pyodide"
    for folder in (static, contents, work / "wheel"):
        folder.mkdir(parents=True)
    pyodide = npm_package("pyodide", pyodide_version())
    for name in PYODIDE_FILES:
        shutil.copy(pyodide / name, static / name)
    lock, names = package_lock(pyodide, static, micrograd_wheel(work / "wheel"))
    (static / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")
    shutil.copy(npm_package(*VIZ) / "dist" / "viz.js", static / VIZ_FILE)
    (lite / "jupyter-lite.json").write_text(json.dumps(lab_settings(), indent=2), encoding="utf-8")
    for name in BROWSER_NOTEBOOKS:
        notebook_for_the_browser(NOTEBOOKS / f"{name}.ipynb", contents / f"{name}.ipynb")
    extensions = [labextension("@jupyterlite/pyodide-kernel-extension"), labextension(WIDGETS)]
    run(
        [
            sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite), "--output-dir", str(out),
            "--contents", str(contents), "--ignore-sys-prefix", "--no-sourcemaps", "--no-unused-shared-packages",
            "--apps", "lab", "--apps", "notebooks", "--apps", "tree",
            *(f"--LiteBuildConfig.federated_extensions={folder}" for folder in extensions),
        ],
        cwd=work,
    )  # fmt: skip
    settings = json.loads((out / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    kernel = settings["litePluginSettings"][KERNEL_PLUGIN]
    if not kernel.get("pyodideUrl", "").startswith("./"):  # an incremental build once lost it: never ship that
        raise SystemExit(f"the browser lab would load Pyodide from another host: {kernel}")
    return names


def build(site: pathlib.Path = SITE) -> dict[str, object]:
    """Write the whole site to site (removed first); what was built, and how long it took."""
    check_tools()
    start = time.perf_counter()
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="micrograd-site-") as work:
        names = build_lab(site / "lite", pathlib.Path(work))
    files = [p for p in site.rglob("*") if p.is_file()]
    return {
        "seconds": time.perf_counter() - start,
        "bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "packages": names,
        "notebooks": BROWSER_NOTEBOOKS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=pathlib.Path, default=SITE, help="where the site goes (default: site/)")
    args = parser.parse_args()
    report = build(args.output)
    print(
        f"site written to {args.output} in {report['seconds']:.1f} s: {report['files']} files, "
        f"{report['bytes'] / 1e6:.1f} MB; browser lab notebooks: {', '.join(report['notebooks'])}"
    )
    from build_docs import build_docs  # beside this file: the documentation, around the lab

    docs = build_docs(args.output)
    print(f"documentation written to {args.output} in {docs['seconds']:.1f} s: {docs['bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
