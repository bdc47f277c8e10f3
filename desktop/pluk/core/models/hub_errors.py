"""Plain reasons for what goes wrong on the way to the Hub: which server (HF_ENDPOINT, read at
call time), and one ModelError sentence for each kind of exception the HTTP stack raises."""

from __future__ import annotations

import os

from pluk.core.errors import ModelError

DEFAULT_ENDPOINT = "https://huggingface.co"


def hub_endpoint() -> str:
    """The Hub or mirror base URL, from HF_ENDPOINT as it is now (not as it was at import)."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def network_error(exc: BaseException, what: str) -> ModelError | None:
    """A ModelError with a plain reason for an exception from the HTTP stack, else None."""
    from huggingface_hub import errors as hf_errors

    endpoint = hub_endpoint()
    if isinstance(exc, hf_errors.GatedRepoError):
        return ModelError(
            f"{what}: the repository is gated; accept its licence on the Hub and set HF_TOKEN"
        )
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return ModelError(f"{what}: repository not found on {endpoint} (or it needs HF_TOKEN)")
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return ModelError(f"{what}: that revision does not exist on {endpoint}")
    if isinstance(exc, hf_errors.EntryNotFoundError):
        return ModelError(f"{what}: the file is not in that repository on {endpoint}")
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return ModelError(f"{what}: network access is disabled (offline mode)")
    if isinstance(exc, hf_errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        return ModelError(f"{what}: the server {endpoint} answered HTTP {status}")
    module = type(exc).__module__.split(".")[0]
    if module in {"httpx", "httpx2", "httpcore", "httpcore2", "requests", "urllib3", "ssl"} or (
        isinstance(exc, (ConnectionError, TimeoutError))
    ):
        text = str(exc) or type(exc).__name__
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return ModelError(
                f"{what}: the TLS certificate of {endpoint} was not trusted ({text}); "
                "point SSL_CERT_FILE or REQUESTS_CA_BUNDLE at your organisation's CA bundle"
            )
        if "Timeout" in type(exc).__name__:
            return ModelError(f"{what}: {endpoint} did not answer in time ({text})")
        return ModelError(
            f"{what}: cannot reach {endpoint} ({text}); check the network connection, "
            "the proxy (HTTPS_PROXY) and HF_ENDPOINT"
        )
    return None
