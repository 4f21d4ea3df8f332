"""The documentation names every command and analysis method the CLI has."""

from pathlib import Path

import pytest

from observatorio import cli

ROOT = Path(__file__).resolve().parents[2]


def _choices(parser, path):
    for name in path:
        action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = action.choices[name]
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(action.choices)


@pytest.mark.parametrize("command", _choices(cli.build_parser(), []))
def test_every_command_is_in_docs_cli(command):
    assert f"`observatorio {command}" in (ROOT / "docs" / "cli.md").read_text()


@pytest.mark.parametrize("method", _choices(cli.build_parser(), ["analyze"]))
def test_every_analysis_method_is_documented(method):
    assert f"`{method}`" in (ROOT / "docs" / "cli.md").read_text()
    assert method in (ROOT / "docs" / "analysis.md").read_text()
