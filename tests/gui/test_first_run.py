"""First start of an installed Pluk (issue 30): the offline installer's model is selected
without a click; without any model the picker says how to get one. Real widgets, offscreen."""

from __future__ import annotations

from pluk.core.models.bundle import write_manifest
from pluk.core.models.random_model import build_random_gguf
from pluk.gui.model_picker import ModelPicker


def test_the_offline_installers_model_is_selected_on_first_start(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    shipped = tmp_path / "app" / "models"
    model = build_random_gguf(shipped / "site-model.gguf")
    write_manifest(shipped)
    monkeypatch.setenv("PLUK_BUNDLED_MODELS", str(shipped))
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.reload([])
    assert picker.current_path() is not None
    assert picker.current_path().resolve() == model.resolve()


def test_without_a_model_the_picker_names_the_ways_to_get_one(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PLUK_BUNDLED_MODELS", str(tmp_path / "none"))
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.reload([])
    assert picker.current_path() is None
    text = picker.no_model_text()
    assert "download" in text and ".gguf" in text
    assert picker.manage_button.isEnabled() and picker.browse_button.isEnabled()


def test_the_model_manager_says_when_the_gpu_engine_falls_back(qtbot):
    # The reasons are what backends.describe() gives on a CUDA installer without a driver
    # (tests/packaging/test_gpu_fallback.py proves that with the real engine).
    from pluk.core.models.hardware import HardwareInfo
    from pluk.gui.model_manager_dialog import hardware_summary

    hw = HardwareInfo(os="Windows", machine="AMD64", ram_total_bytes=16 * 2**30)
    reason = "cuda: no NVIDIA driver found (nvcuda.dll: not found)"
    text = hardware_summary(hw, 8192, [reason])
    assert reason in text and "runs on the CPU" in text
    assert "GPU code" not in hardware_summary(hw, 8192, [])
