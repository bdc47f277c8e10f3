"""Owns Pluk's no-network default for huggingface_hub, and the one narrow exception to it.

`enforce_offline_env()` runs at start-up (CLI and GUI): it sets HF_HUB_OFFLINE=1 and turns off
telemetry and update checks, so no code path can reach the Hub by accident. `hub_access()` lifts
this only around Pluk's own download call.

How huggingface_hub 2.4 handles this (read from its source): `constants.HF_HUB_OFFLINE` is read
from the environment once, at import; `constants.is_offline_mode()` returns that module global,
and the request hook of its shared httpx2 client raises `OfflineModeIsEnabled` when it is true.
Changing the environment variable after import therefore has no effect on its own, so both
functions here set the module globals as well as the environment (the constants module is
patched only when it is already imported; otherwise its import reads the environment).
The shared client also reads proxies (HTTP(S)_PROXY, NO_PROXY) and the CA bundle
(SSL_CERT_FILE / SSL_CERT_DIR; the OS trust store on Windows and macOS) when it is created, so
`hub_access()` closes it on entry and exit: the download sees the current settings.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pluk.core.errors import ModelError

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
}
# CA bundle variables other tools honour; huggingface_hub 2.4 (httpx2) reads only SSL_CERT_FILE.
_CA_BUNDLE_VARS = ("PLUK_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
_lock = threading.Lock()


def _hf_constants():
    return sys.modules.get("huggingface_hub.constants")


def enforce_offline_env() -> None:
    """Forbid huggingface_hub any network access for the rest of the process."""
    os.environ.update(_OFFLINE_ENV)
    constants = _hf_constants()
    if constants is not None:
        constants.HF_HUB_OFFLINE = True
        constants.HF_HUB_DISABLE_TELEMETRY = True
        constants.HF_HUB_DISABLE_UPDATE_CHECK = True


def is_offline() -> bool:
    constants = _hf_constants()
    if constants is not None:
        return bool(constants.HF_HUB_OFFLINE)
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}


def ca_bundle() -> tuple[str, str] | None:
    """(variable, path) of the CA bundle a download will use, when one is configured."""
    for var in ("SSL_CERT_FILE", *_CA_BUNDLE_VARS):
        value = os.environ.get(var)
        if value:
            return var, value
    return None


def _close_hf_session() -> None:
    try:
        from huggingface_hub import close_session
    except ImportError:  # huggingface_hub < 1.0 builds its sessions per thread from the env
        return
    close_session()


@contextmanager
def hub_access() -> Iterator[None]:
    """Allow huggingface_hub to use the network inside this block only, with the CA bundle from
    SSL_CERT_FILE, PLUK_CA_BUNDLE, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (first set wins; a
    folder is used as SSL_CERT_DIR). Downloads are serialised: a second one waits here.
    Telemetry stays off."""
    import huggingface_hub.constants as constants

    with _lock:
        saved_env = {
            k: os.environ.get(k)
            for k in ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "SSL_CERT_FILE", "SSL_CERT_DIR")
        }
        saved_offline = constants.HF_HUB_OFFLINE
        bundle = ca_bundle()
        if bundle is not None:
            var, path = bundle
            if not os.path.exists(path):
                raise ModelError(f"The CA bundle named by {var} does not exist: {path}")
            if os.path.isdir(path):
                os.environ.pop("SSL_CERT_FILE", None)  # it would win over SSL_CERT_DIR
                os.environ["SSL_CERT_DIR"] = path
            else:
                os.environ["SSL_CERT_FILE"] = path
        os.environ["HF_HUB_OFFLINE"] = "0"
        constants.HF_HUB_OFFLINE = False
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
        constants.HF_HUB_DISABLE_TELEMETRY = True
        _close_hf_session()  # the next request builds a client with the current proxy/CA settings
        try:
            yield
        finally:
            constants.HF_HUB_OFFLINE = saved_offline
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            _close_hf_session()
