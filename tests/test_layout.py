"""The package's layout, as a newcomer meets it: small modules and functions, no private names shared across
modules, and a page "How micrograd is built" that lists every module in the layer the import contract
(pyproject.toml) puts it in."""

import ast
import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "micrograd"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]  # the front page and the documentation
MODULE_LINES, ENGINE_LINES, FUNCTION_LINES = 450, 300, 60


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def test_no_module_is_longer_than_a_sitting_and_no_function_longer_than_a_screen():
    too_long = []
    for name, path in _modules().items():
        source = path.read_text(encoding="utf-8")
        limit = ENGINE_LINES if name == "micrograd.engine" else MODULE_LINES
        if len(source.splitlines()) > limit:
            too_long.append(f"{path.relative_to(ROOT)}: {len(source.splitlines())} lines (at most {limit})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, "split these by responsibility:\n" + "\n".join(too_long)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_uses_another_module_s_private_names():
    modules = _modules()
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = set()  # local names bound to modules of the package
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("micrograd"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in modules:
                        imported_modules.add(alias.asname or alias.name)
                    elif _private(alias.name):
                        found.append(f"{name}:{node.lineno} imports {node.module}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("micrograd") and alias.asname:
                        imported_modules.add(alias.asname)
        for node in ast.walk(tree):
            is_module = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_module and node.value.id in imported_modules and _private(node.attr):
                found.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not found, "give what is shared a public name in the lower module:\n" + "\n".join(found)


def _only_a_docstring(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)


def _layers() -> list[list[str]]:
    """The layers of the import contract, top first, each as its modules' dotted names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    (container,) = contract["containers"]
    return [[f"{container}.{m.strip()}" for m in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def _table_rows() -> list[tuple[str, list[str]]]:
    """The table of layers of docs/architecture.md: (layer, the module paths it names) per row."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("# How micrograd is built", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 2 and not set(cells[0]) <= {"-"} and cells[0] != "layer":
            rows.append((cells[0], re.findall(r"`(micrograd/[\w/]+\.py)`", cells[1])))
    return rows


def test_the_architecture_page_lists_every_module_in_its_layer_in_the_contract_s_order():
    modules = _modules()
    layers = _layers()
    contract_modules = {m for layer in layers for m in layer}
    assert set(contract_modules) <= set(modules), "the contract names a module that does not exist"

    def layer_of(module: str) -> int:
        """The module's layer, 0 at the top; the package's own __init__ gathers from them all, above the top."""
        if module == "micrograd":
            return -1
        return next(i for i, layer in enumerate(layers) for m in layer if module == m or module.startswith(m + "."))

    listed: dict[str, int] = {}
    rows = _table_rows()
    assert len(rows) >= len(layers), "docs/architecture.md's table of layers is missing"
    for i, (_, paths) in enumerate(rows):
        for p in paths:
            listed[".".join(Path(p).with_suffix("").parts).removesuffix(".__init__")] = i
    maps = {m for m, path in modules.items() if _only_a_docstring(path)}  # a package's map, nothing to list
    missing = sorted(set(modules) - set(listed) - maps)
    assert not missing, f"docs/architecture.md does not list: {', '.join(missing)}"
    unknown = sorted(set(listed) - set(modules))
    assert not unknown, f"docs/architecture.md lists modules that do not exist: {', '.join(unknown)}"
    # the rows go up the contract's layers, bottom first: a module's row never comes after a higher layer's
    order = [layer_of(m) for m, _ in sorted(listed.items(), key=lambda item: item[1])]
    assert order == sorted(order, reverse=True), (
        "docs/architecture.md's rows must follow the contract's layers, bottom first"
    )


def test_the_import_contract_holds():
    """lint-imports (import-linter) on the package: CI runs it too; here it fails the suite as well."""
    assert importlib.util.find_spec("importlinter") is not None, "pip install import-linter (tests/setup.sh does)"
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0, "run lint-imports to see what is broken"


def test_every_install_hint_names_the_distribution_and_an_extra_it_has():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = set(project["optional-dependencies"])
    hints = [
        (path.relative_to(ROOT), m.group(1), m.group(2))
        for path in [*PACKAGE.rglob("*.py"), *(ROOT / "docs").glob("*.py")]
        for m in re.finditer(r"pip install \"?([\w.-]+)\[(\w+)\]", path.read_text(encoding="utf-8"))
    ]
    assert hints, "no install hint found: the pattern no longer matches how hints are written"
    wrong = [(str(p), f"{name}[{extra}]") for p, name, extra in hints if name != project["name"] or extra not in extras]
    assert not wrong, f"install hints that name no distribution or extra of pyproject.toml: {wrong}"


def test_every_install_line_of_the_readme_and_the_docs_names_the_distribution_and_extras_it_has():
    """`pip install -e ".[a,b]"` from a clone, or `pip install "micrograd-lab[a]"`: each extra is pyproject.toml's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = [
        (path.name, m.group(1) or ".", extra)
        for path in PAGES
        for m in re.finditer(r'pip install (?:-e )?"(?:\.|([\w.-]+))\[([\w,]+)\]"', path.read_text(encoding="utf-8"))
        for extra in m.group(2).split(",")
    ]
    assert {"plot", "site"} <= {extra for _, _, extra in named}  # the Quickstart's and the site's
    wrong = [
        f"{page}: {name}[{extra}]"
        for page, name, extra in named
        if name not in (".", project["name"]) or extra not in project["optional-dependencies"]
    ]
    assert not wrong, f"install lines that name another distribution or an extra pyproject.toml does not have: {wrong}"
