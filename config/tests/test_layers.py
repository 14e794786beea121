"""The import-linter layers (pyproject.toml) name every module, so a new module cannot slip past them."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "cases", "regions", "search")


def layer_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    return [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]


def first_party_modules() -> list[str]:
    modules = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if {"tests", "migrations"} & set(parts) or parts[-1] == "apps":
                continue
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return [module for module in modules if module not in PACKAGES]


def test_every_module_belongs_to_a_layer():
    layers = layer_modules()
    outside = [m for m in first_party_modules() if not any(m == n or m.startswith(n + ".") for n in layers)]
    assert outside == [], f"add these modules to a layer in pyproject.toml: {outside}"
