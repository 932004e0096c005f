"""`sodo validate`: exit codes, text and JSON output, bad files.

The tests run the console script's entry point in this process (`support.cli`); one runs
the real `sodo` executable, so its exit code is seen from outside as well.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import FLOWS_DIR
from flow_samples import BASE
from support.cli import SODO, CliResult, run_sodo

SONLA = FLOWS_DIR / "sonla-2_002760-1.json"
CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"


def run(*args: object, cwd: Path) -> CliResult:
    return run_sodo("validate", *map(str, args), env=dict(os.environ), cwd=cwd)


def run_process(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SODO, "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def test_exit_0_for_a_valid_flow_with_vietnamese_text(tmp_path: Path) -> None:
    result = run(CAOBANG, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "đạt, không có lỗi" in result.stdout
    assert "Đường găng: 5 ngày làm việc / thời hạn 5 ngày làm việc" in result.stdout
    # Validating files needs no app: nothing is written where it runs.
    assert list(tmp_path.iterdir()) == []


def test_exit_0_with_warnings_only(tmp_path: Path) -> None:
    data = json.loads(json.dumps(BASE))
    data["steps"][2]["officers"] = []
    path = tmp_path / "warn.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run(path, "--lang", "en", cwd=tmp_path)
    assert result.returncode == 0
    assert "1 warning" in result.stdout and "[warning] step-without-officer" in result.stdout


def test_exit_1_when_a_file_has_an_error(tmp_path: Path) -> None:
    result = run_process(SONLA, CAOBANG, cwd=tmp_path)
    assert result.returncode == 1
    assert "[lỗi] time-budget-exceeded" in result.stdout
    assert "40 ngày làm việc" in result.stdout


def test_exit_2_with_one_line_per_unreadable_file_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "sodo.flow/2"}', encoding="utf-8")
    latin = tmp_path / "latin.json"
    latin.write_bytes(CAOBANG.read_text(encoding="utf-8").encode("utf-16"))
    result = run(broken, SONLA, latin, CAOBANG, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f'{broken}: không đọc được: format: unsupported format "sodo.flow/2"' in lines[0]
    assert any(line.startswith(f"{latin}: không đọc được: (document): not UTF-8") for line in lines)
    # The good files are still validated.
    assert f"{CAOBANG}: đạt, không có lỗi" in lines


def test_json_output_shape_for_one_file(tmp_path: Path) -> None:
    result = run(SONLA, "--format", "json", "--lang", "en", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert set(data) == {"file", "ok", "findings", "critical_path"}
    assert data["file"] == str(SONLA) and data["ok"] is False
    finding = data["findings"][0]
    assert set(finding) == {"code", "severity", "message", "steps", "transitions"}
    assert finding["code"] == "time-budget-exceeded" and finding["severity"] == "error"
    assert finding["message"].startswith("The longest path")
    assert finding["transitions"][0] == ["s1", "s2"]
    assert data["critical_path"] == {
        "steps": ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"],
        "hours": 320.0,
        "budget_hours": 240.0,
    }


def test_json_output_keeps_vietnamese_as_is(tmp_path: Path) -> None:
    result = run(SONLA, "--format", "json", cwd=tmp_path)
    assert "“Tiếp nhận, bàn giao hồ sơ về phòng chuyên môn (scan)” (s1)" in result.stdout
    assert "\\u" not in result.stdout


def test_json_output_is_a_list_for_several_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run(CAOBANG, broken, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert [item["file"] for item in data] == [str(CAOBANG), str(broken)]
    assert data[0]["ok"] is True and data[0]["findings"] == []
    assert data[1]["ok"] is False and "invalid JSON" in data[1]["error"]


def test_all_demo_flows_validate_from_the_command_line(tmp_path: Path) -> None:
    files = sorted(FLOWS_DIR.glob("*.json"))
    result = run(*files, "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert len(data) == len(files)
    failing = {Path(item["file"]).name for item in data if not item["ok"]}
    assert failing == {SONLA.name}
    assert result.returncode == 1
