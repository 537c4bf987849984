"""Read deploy/lab/compose.yaml as Docker Compose would: YAML, then ``${VAR}`` interpolation from a .env."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LAB = Path(__file__).resolve().parents[2] / "deploy" / "lab"
COMPOSE = LAB / "compose.yaml"
VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariable(KeyError):
    """A ``${VAR:?message}`` whose variable the .env leaves unset or empty."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Return ``text`` with Compose's ``$$``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` resolved."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        value, op, arg = env.get(name), match.group("op"), match.group("arg")
        if op in (":-", "-") and (value is None or (op == ":-" and not value)):
            return arg
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise MissingVariable(f"{name}: {arg}")
        return value or ""

    return VARIABLE.sub(one, text)


def interpolated(node: Any, env: dict[str, str]) -> Any:
    """Return a parsed YAML tree with every string value interpolated."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolated(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolated(value, env) for key, value in node.items()}
    return node


def required_variables(text: str) -> set[str]:
    """Return the variables the file insists on (``${VAR:?…}``)."""
    return {m.group("name") for m in VARIABLE.finditer(text) if m.group("op") in (":?", "?")}


@dataclass(frozen=True)
class Compose:
    """The lab's compose file, parsed and interpolated with one .env."""

    tree: dict[str, Any]

    @classmethod
    def load(cls, env: dict[str, str], path: Path = COMPOSE) -> Compose:
        """Parse and interpolate ``path`` with ``env`` (a .env's variables)."""
        return cls(interpolated(yaml.safe_load(path.read_text(encoding="utf-8")), env))

    def service(self, name: str) -> dict[str, Any]:
        """Return one service's definition."""
        return self.tree["services"][name]

    def config(self, name: str) -> str:
        """Return the inline content of one of the file's ``configs``."""
        return self.tree["configs"][name]["content"]
