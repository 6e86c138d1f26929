"""The `quizapp` command as a user types it (in a subprocess, as installed)."""
import json
import math
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "mini.yaml"


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    env = None
    if home is not None:
        import os
        env = {**os.environ, "QUIZAPP_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "quizapp", *args], capture_output=True, text=True, timeout=120, env=env)


def test_version_and_help_shows_the_user_pack_folder(tmp_path):
    from quizapp import __version__
    assert run("--version").stdout.strip() == f"quizapp {__version__}"
    out = run("--help", home=tmp_path)
    assert out.returncode == 0
    assert str(tmp_path / "packs") in out.stdout
    for command in ("validate", "schema", "engine"):
        assert f"quizapp {command}" in out.stdout


def test_missing_pack_and_unknown_topic_are_one_clear_line(tmp_path):
    out = run("--pack", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2
    assert out.stderr.strip() == f"quizapp: error: no such pack file or folder: {tmp_path / 'nope.yaml'}"
    out = run("--pack", str(FIXTURE), "--topic", "quantum", home=tmp_path)
    assert out.returncode == 2
    assert "no topic 'quantum'" in out.stderr and "Traceback" not in out.stderr


def test_bad_count_is_a_usage_error():
    out = run("--count", "zero")
    assert out.returncode == 2 and "expected a whole number" in out.stderr


def test_validate_reports_in_compiler_form(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace("topic: ppo\n    prompt: \"What is", "topic: rl\n    prompt: \"What is", 1))
    out = run("validate", str(bad))
    assert out.returncode == 1
    line = next(l for l in out.stdout.splitlines() if "unknown topic" in l or "'rl'" in l)
    path, lineno, col, severity, _ = line.split(":", 4)
    assert (path, severity.strip()) == (str(bad), "error")
    assert bad.read_text().splitlines()[int(lineno) - 1][int(col) - 1:].startswith("rl")
    assert run("validate", str(FIXTURE)).returncode == 0
    assert run("validate").returncode == 2


def test_schema_is_json():
    schema = json.loads(run("schema").stdout)
    assert schema["$schema"].endswith("2020-12/schema")


def test_engine_softmax_matches_the_formula():
    out = run("engine", "softmax", "--scores", "2,1,0.1", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    exps = [math.exp(x) for x in (2, 1, 0.1)]
    expected = [e / sum(exps) for e in exps]
    assert all(abs(a - b) < 1e-12 for a, b in zip(result["probabilities"], expected))
    assert abs(sum(result["probabilities"]) - 1) < 1e-12


def test_engine_bad_argument_is_one_clear_line():
    out = run("engine", "softmax", "--scores", "2,abc")
    assert out.returncode == 1
    assert out.stderr.strip() == "quizapp engine softmax: error: probe 'softmax': scores must be a finite number, not 'abc'"


def test_engine_takes_negative_numbers_after_a_flag():
    out = run("engine", "softmax", "--scores", "-1,2", "--temperature", "2", "--json")
    assert out.returncode == 0, out.stderr
    p = json.loads(out.stdout)["probabilities"]
    assert abs(p[0] - 1 / (1 + math.exp(1.5))) < 1e-12  # softmax([-0.5, 1]) = σ(−1.5), σ(1.5)
