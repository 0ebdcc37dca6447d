"""The binding's modules import one way (NOTE [Binding layers] in rust/python/src/lib.rs).

`lib.rs` lists the modules by layer; a module may use (`crate::name`) only
modules of lower layers. Every module must be listed, so a new one has to
take a place in the order.
"""
from __future__ import annotations

import pathlib
import re

SRC = pathlib.Path(__file__).resolve().parent.parent / "rust" / "python" / "src"


def _layers():
    lib = (SRC / "lib.rs").read_text()
    layers = {}
    for n, names in re.findall(r"^//! layer (\d+): (.*)$", lib, re.M):
        for name in names.split():
            layers[name] = int(n)
    return layers


def _module_files():
    """Module name -> its source files (a directory module counts all of its files)."""
    mods = {}
    for p in sorted(SRC.rglob("*.rs")):
        rel = p.relative_to(SRC)
        if rel.parts == ("lib.rs",):
            continue
        name = rel.parts[0].removesuffix(".rs")
        mods.setdefault(name, []).append(p)
    return mods


def test_every_module_has_a_layer():
    layers, mods = _layers(), _module_files()
    assert layers, "lib.rs lists no layers"
    assert sorted(mods) == sorted(layers)


def test_modules_import_only_lower_layers():
    layers, bad = _layers(), []
    for name, files in _module_files().items():
        for p in files:
            code = p.read_text()
            for used in sorted(set(re.findall(r"\bcrate::([a-z_]+)", code))):
                if used != name and layers.get(used, 99) >= layers[name]:
                    bad.append(f"{p.relative_to(SRC)} (layer {layers[name]}) uses crate::{used} "
                               f"(layer {layers.get(used)})")
    assert not bad, "\n".join(bad)
