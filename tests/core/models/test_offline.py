"""enforce_offline_env and hub_access: huggingface_hub's module constants, not only the env."""

from __future__ import annotations

import os

import huggingface_hub.constants as constants
import pytest

from pluk.core.errors import ModelError
from pluk.core.models.offline import enforce_offline_env, hub_access, is_offline


@pytest.fixture(autouse=True)
def no_ca_settings(monkeypatch):
    # conftest restores the offline variables and constants after each test.
    for var in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)


def test_enforce_sets_env_and_already_imported_constants():
    enforce_offline_env()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert constants.HF_HUB_OFFLINE is True and constants.is_offline_mode()
    assert is_offline()


def test_hub_access_lifts_and_restores():
    enforce_offline_env()
    with hub_access():
        assert not constants.is_offline_mode()
        assert os.environ["HF_HUB_OFFLINE"] == "0"
        assert constants.HF_HUB_DISABLE_TELEMETRY is True
    assert constants.is_offline_mode() and os.environ["HF_HUB_OFFLINE"] == "1"


def test_requests_ca_bundle_becomes_ssl_cert_file(monkeypatch, tmp_path):
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with hub_access():
        assert os.environ["SSL_CERT_FILE"] == str(bundle)
    assert "SSL_CERT_FILE" not in os.environ


def test_missing_ca_bundle_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "nope.pem"))
    with pytest.raises(ModelError, match="REQUESTS_CA_BUNDLE does not exist"):
        with hub_access():
            pass
