"""`rtensor/_C.pyi` stays in step with the compiled module: every public name of
`_C` has a stub, every stub names something real, and every method the Rust
`Tensor` class defines is declared (so editors and type checkers see it)."""

import ast
import os

import rtensor._C as C

STUB = os.path.join(os.path.dirname(C.__file__), "_C.pyi")
PRIVATE_ALIASES = {"_Number", "_TensorOrNumber", "_Size"}


def _stub_tree():
    with open(STUB) as f:
        return ast.parse(f.read())


def test_module_names_match_stub():
    tree = _stub_tree()
    stub = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stub |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    real = {n for n in dir(C) if not n.startswith("__")}
    assert real - stub == set(), "compiled names without a stub"
    assert stub - real - PRIVATE_ALIASES == set(), "stubs for names that do not exist"


def test_rust_tensor_methods_are_declared():
    tree = _stub_tree()
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    declared = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    declared |= {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    # Methods defined by the Rust class itself (not those attached in _tensor.py).
    rust = {n for n, v in vars(C.Tensor).items()
            if not n.startswith("__") and type(v).__name__ in ("method_descriptor", "getset_descriptor", "builtin_function_or_method")}
    rust -= {n for n in rust if n.startswith("_") and not n.startswith("__")} - {"_version"}
    assert rust - declared == set()
