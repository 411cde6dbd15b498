"""The house rules of docs/architecture.md, checked on the code: layers, no circles, small modules."""

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hotspots"

#: Layers from the ground floor up (docs/architecture.md); a module imports only its own layer or lower.
LAYERS = {
    "hotspots.config": 0,
    "hotspots.errors": 0,
    "hotspots.schema": 0,
    "hotspots.i18n": 1,
    "hotspots.formats": 2,
    "hotspots.validation": 3,
    "hotspots.store": 4,
    "hotspots.analysis": 5,
    "hotspots.maps": 6,
    "hotspots.reports": 6,
    "hotspots.cli": 7,
    "hotspots": 8,
    "hotspots.__main__": 8,
}
#: Siblings on one floor that must not lean on each other.
SIBLINGS = {("hotspots.maps", "hotspots.reports"), ("hotspots.reports", "hotspots.maps")}
MAX_CODE_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _layer_of(module: str) -> str:
    for candidate in sorted(LAYERS, key=len, reverse=True):
        if module == candidate or module.startswith(candidate + "."):
            return candidate
    raise AssertionError(f"{module} belongs to no layer of docs/architecture.md")


def _resolve(module: str, imported: str, names: list[str], level: int) -> set[str]:
    """Return the hotspots modules an import statement loads."""
    if level:
        base = module.split(".")
        if MODULES[module].name != "__init__.py":
            base = base[:-1]
        base = base[: len(base) - (level - 1)]
        imported = ".".join([*base, imported] if imported else base)
    if imported.split(".")[0] != "hotspots":
        return set()
    targets = set()
    for name in names:
        sub = f"{imported}.{name}"
        targets.add(sub if sub in MODULES else imported)
    return targets or {imported}


def _imports(module: str, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "hotspots"}
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            found |= _resolve(module, node.module or "", names, node.level)
    return {target for target in found if target in MODULES}


def _deferred_imports(module: str) -> list[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    deferred = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("hotspots"):
                    deferred.append(f"{module}:{inner.lineno} from {inner.module}")
                if isinstance(inner, ast.Import) and any(a.name.startswith("hotspots") for a in inner.names):
                    deferred.append(f"{module}:{inner.lineno} import")
    return deferred


def _code_lines(path: Path) -> int:
    """Count lines holding code: not blank, not a comment, not a docstring."""
    source = path.read_text(encoding="utf-8")
    docstring_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            is_text = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if is_text and isinstance(first.value.value, str):
                docstring_lines |= set(range(first.lineno, first.end_lineno + 1))
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
        ):
            code |= set(range(token.start[0], token.end[0] + 1))
    return len(code - docstring_lines)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one cycle per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_the_layers_of_the_architecture_document():
    assert {"hotspots.i18n", "hotspots.formats", "hotspots.validation", "hotspots.store"} <= set(MODULES)
    assert all(_layer_of(module) for module in MODULES)
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer in LAYERS:
        if layer not in ("hotspots", "hotspots.__main__"):
            assert f"`{layer}`" in text, f"{layer} is not described in docs/architecture.md"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers_only(module):
    own = _layer_of(module)
    for target in _imports(module, top_level_only=False):
        other = _layer_of(target)
        assert LAYERS[other] <= LAYERS[own], f"{module} imports {target}, a higher layer"
        assert (own, other) not in SIBLINGS, f"{module} imports its sibling {target}"


def test_no_import_circle():
    graph = {module: _imports(module, top_level_only=True) - {module} for module in MODULES}
    assert _cycles(graph) == []


def test_the_circle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"hotspots"}))
def test_no_deferred_import_of_the_library(module):
    # The package root loads the store and the map on first use (importlib), on purpose.
    assert _deferred_imports(module) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small_enough_to_read_at_once(module):
    assert _code_lines(MODULES[module]) <= MAX_CODE_LINES
