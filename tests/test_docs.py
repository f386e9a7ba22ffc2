"""The documented surface: every rule id, CLI command and config key appears in the user docs."""

from __future__ import annotations

import re
from pathlib import Path

from generator.cli import build_parser
from generator.messages import RULES
from generator.plugin import NianbaoConfig

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def _docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CONTENT.rglob("*.md")))


def test_every_rule_is_documented_with_its_example() -> None:
    rules_page = (CONTENT / "guide" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert re.search(rf"^### {rule.id} ", rules_page, re.M), f"{rule.id} has no section in rules.md"
        assert rule.example_message in rules_page, f"{rule.id}: example message missing or outdated"


def test_no_undocumented_rule_in_docs() -> None:
    rules_page = (CONTENT / "guide" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### ([A-Z]\d+) ", rules_page, re.M))
    assert documented == set(RULES)


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices  # noqa: SLF001
    assert commands
    docs = _docs()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in commands:
        assert f"nianbao {name}" in docs, f"nianbao {name} is not in content/"
        assert f"nianbao {name}" in readme, f"nianbao {name} is not in README.md"


def test_every_plugin_config_key_is_documented() -> None:
    docs = _docs()
    for key in [k for k, _ in NianbaoConfig._schema]:  # noqa: SLF001
        assert f"`{key}`" in docs, f"mkdocs.yml key {key} is not documented in content/"
