"""The `isops` command's refusals, the same for every CSV it reads or writes, shared by the CLI
test files: an import with a bad row (exit 1, nothing written) and a cp932 export of a character
cp932 cannot hold (exit 2, no file left behind)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def refused_import(
    capsys: pytest.CaptureFixture[str], command: str, source: Path
) -> tuple[str, str]:
    """`isops <command> import <source>` refuses the file: exit 1, "nothing imported" said and
    no traceback. Returns (stdout, stderr), for the row errors."""
    assert main([command, "import", str(source)]) == 1
    out, err = capsys.readouterr()
    assert "何も取り込んでいません" in out and "Traceback" not in out + err
    return out, err


def refused_cp932_export(
    capsys: pytest.CaptureFixture[str], command: str, target: Path, char: str
) -> None:
    """`isops <command> export <target> --encoding cp932` with `char` to write: exit 2, the
    character named in one line, and neither the file nor its partial file left."""
    assert main([command, "export", str(target), "--encoding", "cp932"]) == 2
    err = capsys.readouterr().err
    assert f"cp932 で表せない文字「{char}」があります" in err and "Traceback" not in err
    assert not target.exists() and not target.with_name(f"{target.name}.part").exists()
