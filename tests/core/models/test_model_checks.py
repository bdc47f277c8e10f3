"""A model file llama.cpp would abort on is refused with a reason, never loaded in-process.

Two kinds: one whose metadata contradicts its tensors (gguf_info reads that: 1000 layers
claimed, 2 held), and one only a load can tell (600 real layers, more than llama.cpp's 512:
GGML_ASSERT), which a child process loads once and whose verdict is cached by sha256."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import gguf
import numpy as np
import pytest

from pluk import cli
from pluk.core.errors import ModelError
from pluk.core.models import load_probe
from pluk.core.models.gguf_info import read_gguf_info
from pluk.core.models.random_model import _own_vocab, build_random_gguf

REPO = Path(__file__).resolve().parents[3]


def _claims_more_blocks(path: Path, claimed: int = 1000) -> Path:
    """A runnable 2-layer random model whose metadata says `claimed` layers."""
    real = gguf.GGUFWriter.add_block_count
    gguf.GGUFWriter.add_block_count = lambda self, _n: real(self, claimed)
    try:
        return build_random_gguf(path)
    finally:
        gguf.GGUFWriter.add_block_count = real


def _too_deep(path: Path, n_layer: int = 600) -> Path:
    """Consistent metadata and tensors (a norm per layer), but more layers than llama.cpp's
    LLAMA_MAX_LAYERS (512): its loader aborts on a GGML_ASSERT. Only a load can tell."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(256)
    writer.add_embedding_length(8)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(8)
    writer.add_head_count(1)
    writer.add_head_count_kv(1)
    writer.add_layer_norm_rms_eps(1e-5)
    tokens, scores, types = _own_vocab()
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_tensor("token_embd.weight", np.zeros((len(tokens), 8), np.float32))
    for i in range(n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(8, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _wrong_vocab(path: Path) -> Path:
    """A token embedding with rows for fewer tokens than the vocabulary has."""
    real = gguf.GGUFWriter.add_tensor

    def add_tensor(self, name, data, *args, **kwargs):
        if name == "token_embd.weight":
            data = data[:-7]
        return real(self, name, data, *args, **kwargs)

    gguf.GGUFWriter.add_tensor = add_tensor
    try:
        return build_random_gguf(path)
    finally:
        gguf.GGUFWriter.add_tensor = real


def test_metadata_that_claims_more_layers_than_the_file_holds_is_refused(tmp_path):
    with pytest.raises(ModelError) as caught:
        read_gguf_info(_claims_more_blocks(tmp_path / "claims.gguf"))
    message = str(caught.value)
    assert "1000 layers" in message and "weights of 2" in message and "\n" not in message


def test_a_token_embedding_that_does_not_match_the_vocabulary_is_refused(tmp_path):
    with pytest.raises(ModelError, match="token embedding has rows for"):
        read_gguf_info(_wrong_vocab(tmp_path / "vocab.gguf"))


def test_a_consistent_model_still_reads(tmp_path):
    assert read_gguf_info(build_random_gguf(tmp_path / "ok.gguf")).n_layer == 2


def test_inspect_and_import_refuse_the_inconsistent_model_with_one_line(tmp_path, capsys):
    bad = _claims_more_blocks(tmp_path / "claims.gguf")
    for argv in (["inspect-model", str(bad)], ["models", "import", str(bad)]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("pluk: error:") and "1000 layers" in err and "\n" not in err


def _pluk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in its own process: a model llama.cpp aborts on must not take the test with it."""
    return subprocess.run([sys.executable, "-m", "pluk.cli", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300,
                          env={**os.environ, **(env or {})})


def test_extract_refuses_the_inconsistent_model_before_the_run_folder(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("PSA 5.", encoding="utf-8")
    done = _pluk("extract", "--task", "prostate_mri_nl", "--input", str(tmp_path / "in"),
                 "--model", str(_claims_more_blocks(tmp_path / "claims.gguf")),
                 "--out", str(tmp_path / "run"), "--threads", "1")
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("pluk: error:")]
    assert len(errors) == 1 and "1000 layers" in errors[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "run" / "manifest.json").exists()


def test_a_model_whose_load_aborts_is_probed_in_a_child_and_refused(tmp_path, capsys):
    deep = _too_deep(tmp_path / "deep.gguf")
    read_gguf_info(deep)  # nothing in its metadata gives it away
    result = load_probe.probe_load(deep)
    assert result.crashes and "GGML_ASSERT" in result.reason and "SIGABRT" in result.reason
    for argv in (["inspect-model", str(deep)], ["models", "import", str(deep)]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert err.startswith("pluk: error: llama.cpp cannot load deep.gguf")


def test_extract_refuses_a_model_whose_load_aborts(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("PSA 5.", encoding="utf-8")
    done = _pluk("extract", "--task", "prostate_mri_nl", "--input", str(tmp_path / "in"),
                 "--model", str(_too_deep(tmp_path / "deep.gguf")),
                 "--out", str(tmp_path / "run"), "--threads", "1",
                 env={"PLUK_HOME": str(tmp_path / "home")})
    assert done.returncode == 2, done.stderr
    assert "llama.cpp cannot load deep.gguf" in done.stderr
    assert "GGML_ASSERT" in done.stderr
    assert not (tmp_path / "run" / "manifest.json").exists()


def test_the_probe_is_paid_once_per_file_contents(tmp_path, monkeypatch):
    deep, good = _too_deep(tmp_path / "deep.gguf"), build_random_gguf(tmp_path / "good.gguf")
    assert load_probe.probe_load(deep).crashes and not load_probe.probe_load(good).crashes
    cached = json.loads(load_probe._cache_file().read_text(encoding="utf-8"))
    assert len(cached) == 2

    def no_child(_path):
        raise AssertionError("probed again")

    monkeypatch.setattr(load_probe, "_run_probe", no_child)
    copy = tmp_path / "copy.gguf"  # the models folder's copy has the same sha256
    copy.write_bytes(deep.read_bytes())
    assert load_probe.probe_load(copy).crashes
    assert not load_probe.probe_load(good).crashes
    from pluk.core.engine.model import Model

    with Model(good):
        pass
    with pytest.raises(ModelError, match="cannot load copy.gguf"):
        Model(copy, vocab_only=False)


def test_pluk_debug_shows_llama_cpp_log(tmp_path):
    model = build_random_gguf(tmp_path / "good.gguf")
    code = ("import sys; from pluk.core.engine.model import Model; "
            "Model(sys.argv[1]).close()")
    env = {"PLUK_HOME": str(tmp_path / "home")}
    quiet = subprocess.run([sys.executable, "-c", code, str(model)], capture_output=True,
                           text=True, cwd=REPO, timeout=300, env={**os.environ, **env})
    loud = subprocess.run([sys.executable, "-c", code, str(model)], capture_output=True,
                          text=True, cwd=REPO, timeout=300,
                          env={**os.environ, **env, "PLUK_DEBUG": "1"})
    assert quiet.returncode == 0 and loud.returncode == 0, loud.stderr
    assert "llama_model_loader" not in quiet.stderr
    assert "llama_model_loader" in loud.stderr
