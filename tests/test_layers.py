"""The import layers of pyproject.toml's [tool.importlinter] hold: cli > outputs > registry >
q1 | q2 | q3 | q4 > engine | models | numerics, and derivations import only sympy."""
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out
