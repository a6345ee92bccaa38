"""The CLI speaks the language of --lang, else of LC_ALL / LC_MESSAGES / LANG, else English."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rollout.cli import chosen_language, main
from rollout.core import i18n
from rollout.store.db import Database

from support import cli


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The command with only these locale variables set, in this process (support.cli: what it prints, its
    exit code; main reads the environment when it starts, as a new process would)."""
    unset: dict[str, str | None] = {name: None for name in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return cli(*args, env={**unset, **env})


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "regions.csv").write_text("region_code,region_name\nEAST,华东\n", encoding="utf-8")
    (folder / "branches.csv").write_text("branch_code,branch_name,region_code\nZ1,甲,NOWHERE\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    (["summary"], {}, "en"),
    (["summary"], {"LANG": "zh_CN.UTF-8"}, "zh"),
    (["summary"], {"LANG": "C.UTF-8"}, "en"),
    (["summary"], {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    (["summary"], {"LANG": "en_GB.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "zh"),
    (["--lang", "en", "summary"], {"LC_ALL": "zh_CN.UTF-8"}, "en"),
    (["summary", "--lang=zh"], {}, "zh"),
    (["summary", "--lang", "zh-CN"], {}, "zh"),
    (["--lang", "fr", "summary"], {"LANG": "zh_CN.UTF-8"}, None),
    (["summary", "--", "--lang", "zh"], {}, "en"),
])
def test_the_language_is_chosen_by_flag_then_environment(argv: list[str], environ: dict[str, str],
                                                         expected: str | None) -> None:
    assert chosen_language(argv, environ) == expected


@pytest.mark.slow
def test_lang_zh_translates_a_refused_import_naming_the_same_cells(bad_folder: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "new.duckdb")
    english = run("import", "--db", db, str(bad_folder), "--dry-run")
    chinese = run("--lang", "zh", "import", "--db", db, str(bad_folder), "--dry-run")
    assert (english.returncode, chinese.returncode) == (1, 1)
    assert english.stderr.splitlines() == [
        "error: branches row 2, region_code: 'NOWHERE' is not a known region (expected one of EAST)"]
    assert chinese.stderr.splitlines() == [
        "错误：branches 第 2 行，region_code：'NOWHERE' 不是已知的区域（应为以下之一：EAST）"]
    assert not Path(db).exists()


@pytest.mark.slow
def test_lang_environment_translates_every_line_a_command_prints(bad_folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    done = run("summary", "--db", str(missing), LANG="zh_CN.UTF-8")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"错误：数据库 {missing} 不存在（请用 `python -m rollout demo --db {missing}` 或 `import --db {missing} "
        "FILE` 创建）"]
    (bad_folder / "branches.csv").write_text("branch_code,branch_name,region_code,extra\nZ1,甲,EAST,x\n",
                                             encoding="utf-8")
    done = run("import", "--db", str(tmp_path / "ok.duckdb"), str(bad_folder), "--dry-run", LANG="zh_CN.UTF-8")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["警告：branches.csv：列 'extra' 不属于格式规定的列，已跳过", "试运行，未写入任何数据：bad"]
    assert lines[2].split() == ["表", "新增", "更新", "未变", "变更的列"]
    english = run("import", "--db", str(tmp_path / "ok.duckdb"), str(bad_folder), "--dry-run", LANG="C.UTF-8")
    assert english.stdout.splitlines()[:3] == ["warning: branches.csv: column 'extra' is not part of the format; "
                                               "skipped", "dry run, nothing written: bad",
                                               english.stdout.splitlines()[2]]
    assert english.stdout.splitlines()[2].split() == ["table", "inserted", "updated", "unchanged", "columns",
                                                      "changed"]


@pytest.mark.slow
def test_an_unknown_language_is_one_line_and_exit_1(tmp_path: Path) -> None:
    done = run("--lang", "fr", "summary", "--db", str(tmp_path / "x.duckdb"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["error: --lang expects one of en, zh"]


@pytest.mark.slow
def test_a_bad_flag_value_is_translated_too(tmp_path: Path) -> None:
    done = run("summary", "--db", str(tmp_path / "x.duckdb"), "--as-of", "22/11/2026", "--lang", "zh")
    assert done.returncode == 2
    assert "'22/11/2026' 不是日期（应为 YYYY-MM-DD）" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_template_command_writes_chinese_comments_and_the_format_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    done = run("template", str(out), "--lang", "zh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"模板已写入 {out}"
    book = load_workbook(io.BytesIO(out.read_bytes()))
    comments = {c.value: c.comment.text for c in book["touchpoints"][1]}
    assert comments["channel"] == "必填：以下之一：email, phone, visit, meeting；属于主键"
    assert comments["exec_code"] == "必填：代码；属于主键；必须已在 executives 表或数据库中存在"
    refused = run("template", str(tmp_path / "t.csv"), "--lang", "zh")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == ["错误：无法将模板写入 t.csv（文件名应以 .xlsx 结尾）"]


def test_main_in_process_leaves_the_language_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--lang", "zh", "template", str(tmp_path / "t.xlsx")]) == 0
    assert capsys.readouterr().out.startswith("模板已写入")
    assert i18n.current() == "en"


def test_copy_reports_in_chinese_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source, target = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    Database(source).close()  # an empty store at the current schema
    assert main(["copy", "--from", str(source), "--to", str(target), "--lang", "zh"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"已将 {source} 复制到 {target}：") and out.endswith("张表，共 0 行")
