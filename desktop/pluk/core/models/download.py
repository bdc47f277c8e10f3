"""Owns downloading a GGUF file from the Hugging Face Hub (or a mirror named by HF_ENDPOINT):
the only code in Pluk that opens a network connection, and only when the user asks for it.

Why not `hf_hub_download`: in huggingface_hub 2.4 it downloads into a process-unique
`<etag>.<random>.incomplete` file that it deletes on any failure, so it resumes a dropped
connection only within one call (up to 5 retries) and never after a cancel, a crash or a reboot;
it also writes a Hub cache layout we do not want. Pluk makes the same requests with the same
client pieces instead: `hf_hub_url` + `get_hf_file_metadata` (HEAD /{repo}/resolve/{revision}/
{file}, following Hub redirects, giving ETag, X-Repo-Commit, size and the final location), then
`file_download.http_get` (GET with `Range: bytes=N-`, retries and resume inside the call) into
a persistent `.part` file in the models folder's staging area. A later call for the same file
and ETag resumes from where the last one stopped. Never `Llama.from_pretrained`: it contacts
the Hub on every load.

Integrity: the sha256 is computed while the bytes arrive and checked against the catalogue's
pinned sha256, or else against the ETag when the Hub gives a sha256 there (it does for LFS
files: that is what `hf_hub_download` itself compares in local-dir mode). A mismatch deletes
the file and installs nothing. With neither (no pinned sha256, and an ETag that is not one, as
for a file kept outside Git LFS), the file is installed marked `unverified` and a warning says
it could not be verified (`unverified_warning`). The file is moved into the models folder only
when complete and verified, then registered.

Network settings come from the environment, read at call time: HF_ENDPOINT (mirror),
HTTP(S)_PROXY / NO_PROXY, SSL_CERT_FILE or REQUESTS_CA_BUNDLE and friends (see offline.py),
HF_TOKEN for gated repos, HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT (seconds, default 10).
Every network failure becomes a ModelError with a plain reason; nothing waits forever.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from pluk import __version__
from pluk.core import paths
from pluk.core.errors import CancelledError, ModelError
from pluk.core.models.gguf_info import check_gguf_header
from pluk.core.models import store
from pluk.core.models.hub_errors import hub_endpoint, network_error
from pluk.core.models.offline import hub_access
from pluk.core.models.store import InstalledModel
from pluk.core.models.transfer import ProgressCallback, ProgressMeter, StopCheck

# huggingface_hub streams 10 MiB chunks; 1 MiB gives smoother progress and a quicker cancel.
CHUNK_SIZE = 1024 * 1024
# Room to leave on the disk beyond the file itself (registry, logs, the OS).
DISK_MARGIN = 256 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SPLIT_GGUF = re.compile(r"-\d{5}-of-\d{5}\.gguf$")

log = logging.getLogger(__name__)


def format_bytes(n: float | None) -> str:
    if n is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


# --- staging -----------------------------------------------------------------------------------


def _staging_key(repo: str, filename: str, etag: str) -> str:
    return hashlib.sha256(f"{repo}\0{filename}\0{etag}".encode()).hexdigest()[:20]


def partial_downloads() -> list[dict[str, Any]]:
    """Resumable partial downloads: the sidecar of each, plus `downloaded` bytes."""
    found = []
    for sidecar in sorted(store.staging_dir().glob("*.json")):
        try:
            info = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        part = sidecar.with_suffix(".part")
        info["downloaded"] = part.stat().st_size if part.exists() else 0
        info["part"] = str(part)
        found.append(info)
    return found


def _drop_stale_parts(repo: str, filename: str, keep: Path) -> None:
    """A part of an older version of the same file can never be completed: delete it."""
    for info in partial_downloads():
        part = Path(info["part"])
        if info.get("repo") == repo and info.get("filename") == filename and part != keep:
            part.unlink(missing_ok=True)
            part.with_suffix(".json").unlink(missing_ok=True)


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    part.with_suffix(".json").unlink(missing_ok=True)


class _HashingSink:
    """The file object handed to `http_get`: writes to the .part file, hashes the bytes as they
    arrive, reports progress, and raises CancelledError between chunks when asked to stop."""

    def __init__(self, fh: BinaryIO, hasher, meter: ProgressMeter, should_stop: StopCheck | None):
        self._fh, self.hasher, self._meter, self._should_stop = fh, hasher, meter, should_stop
        self.hash_valid = True

    def write(self, data: bytes) -> int:
        if self._should_stop is not None and self._should_stop():
            raise CancelledError("Download cancelled")
        written = self._fh.write(data)
        self.hasher.update(data)
        self._meter.update(self._fh.tell())
        return written

    def tell(self) -> int:
        return self._fh.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        # http_get truncates when a server ignores the Range header and resends everything.
        new_size = self._fh.truncate(size)
        if new_size == 0:
            self.hasher = hashlib.sha256()  # the file starts over, and so does its hash
        else:
            self.hash_valid = False
        return new_size

    def flush(self) -> None:
        self._fh.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


class _NoBar:
    """Silences huggingface_hub's own tqdm bar; Pluk reports progress itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False

    def update(self, n: float | None = 1) -> None:
        pass

    def close(self) -> None:
        pass


@contextmanager
def _hf_settings(timeout: float | None):
    """Smaller stream chunks and, when given, one timeout for this call only."""
    import huggingface_hub.constants as constants

    saved = constants.DOWNLOAD_CHUNK_SIZE, constants.HF_HUB_DOWNLOAD_TIMEOUT
    constants.DOWNLOAD_CHUNK_SIZE = CHUNK_SIZE
    if timeout is not None:
        constants.HF_HUB_DOWNLOAD_TIMEOUT = timeout
    try:
        yield
    finally:
        constants.DOWNLOAD_CHUNK_SIZE, constants.HF_HUB_DOWNLOAD_TIMEOUT = saved


# --- the download ------------------------------------------------------------------------------


def _already_installed(repo: str, filename: str, revision: str) -> InstalledModel | None:
    for entry in store.list_installed():
        if (entry.repo, entry.filename, entry.revision) == (repo, filename, revision):
            if Path(entry.path).is_file():
                return entry
    return None


def _choose_id(model_id: str | None, repo: str, filename: str) -> str:
    if model_id:
        return model_id
    base = store.slugify(filename)
    current = store.get_installed(base)
    if current is None or (current.repo, current.filename) == (repo, filename):
        return base
    return store.unique_id(base)


def download_model(
    repo: str,
    filename: str,
    *,
    revision: str = "main",
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    model_id: str | None = None,
    catalogue_id: str | None = None,
    licence: str | None = None,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    timeout: float | None = None,
) -> InstalledModel:
    """Download `filename` from Hub repo `repo` at `revision`, verify it, install and register it.

    Resumes a partial download of the same file version left by an earlier call. Progress is
    reported as `transfer.Progress` (phase, bytes done/total, speed, ETA); `should_stop()`
    returning true cancels with CancelledError and keeps the partial file for a later resume.
    expected_size is checked against the Hub's size before anything is downloaded.
    """
    if not filename.endswith(".gguf") or "/" in filename:
        raise ModelError(f"Pluk installs single .gguf files; '{filename}' is not one")
    try:
        store.check_filename(filename)  # before any download: the store could not hold it
    except ValueError as exc:
        raise ModelError(str(exc)) from None
    if _SPLIT_GGUF.search(filename):
        raise ModelError(
            f"'{filename}' is one part of a split model; Pluk needs a single-file .gguf "
            "(pick another quantisation, or merge the parts with llama-gguf-split --merge)"
        )
    if expected_sha256 is not None:
        expected_sha256 = expected_sha256.lower()
        done = store.find_by_sha256(expected_sha256)
        if done is not None and Path(done.path).is_file():
            return done
    done = _already_installed(repo, filename, revision)
    if done is not None:
        return done
    what = f"Download of {repo}/{filename}"

    with hub_access(), _hf_settings(timeout):
        meta = _fetch_metadata(repo, filename, revision, timeout, what)
        etag = meta.etag or ""
        if not etag:
            raise ModelError(
                f"{what}: {hub_endpoint()} sent no ETag; is HF_ENDPOINT a Hugging Face Hub mirror?"
            )
        hub_sha256 = etag.lower() if _SHA256.match(etag.lower()) else None
        size = meta.size
        if expected_size is not None and size is not None and size != expected_size:
            raise ModelError(
                f"{what}: the Hub's file has {size} bytes, the catalogue expects {expected_size}"
            )
        if expected_sha256 and hub_sha256 and hub_sha256 != expected_sha256:
            raise ModelError(
                f"{what}: the file on the Hub (sha256 {hub_sha256}) is not the expected "
                f"version ({expected_sha256}); nothing was downloaded"
            )
        staging = store.staging_dir()
        part = staging / f"{_staging_key(repo, filename, etag)}.part"
        _drop_stale_parts(repo, filename, keep=part)
        resume = part.stat().st_size if part.exists() else 0
        if size is not None and resume > size:
            _discard(part)
            resume = 0
        _check_disk_space(staging, size, resume, what)
        part.with_suffix(".json").write_text(
            json.dumps(
                {"repo": repo, "filename": filename, "revision": revision, "etag": etag,
                 "commit": meta.commit_hash, "size": size},
                indent=1,
            ),
            encoding="utf-8",
        )
        sha256 = _fetch_file(meta, part, resume, size, filename, on_progress, should_stop, what)

    expected = expected_sha256 or hub_sha256
    if expected and sha256 != expected:
        _discard(part)
        raise ModelError(
            f"{what} is corrupt: its sha256 is {sha256}, expected {expected}; "
            "the file was deleted and nothing was installed"
        )
    try:
        check_gguf_header(part)
    except ModelError:
        _discard(part)
        raise ModelError(f"{what}: the file is not a GGUF model; nothing was installed") from None
    entry = store.install_file(
        part,
        model_id=_choose_id(model_id or catalogue_id, repo, filename),
        filename=filename,
        sha256=sha256,
        source="catalogue" if catalogue_id else "hub",
        licence=licence,
        catalogue_id=catalogue_id,
        repo=repo,
        revision=revision,
        commit=meta.commit_hash,
        unverified=expected is None,
    )
    part.with_suffix(".json").unlink(missing_ok=True)
    if entry.unverified:
        log.warning("%s: no sha256 to verify it against; installed as unverified", what)
    return entry


def unverified_warning(entry: InstalledModel) -> str | None:
    """What to tell the user about a model downloaded without a sha256 to check; None if it
    was checked (or did not come from a download)."""
    if not entry.unverified:
        return None
    return (f"warning: {entry.filename} could not be verified: no sha256 was given (--sha256) "
            "and the server's ETag is not one, so a damaged or altered file would not be "
            f"noticed; its sha256 as downloaded is {entry.sha256}")


def download_catalogue_model(
    model_id: str,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    timeout: float | None = None,
) -> InstalledModel:
    """Download a catalogue model by id, with the catalogue's pinned sha256 and licence."""
    from pluk.core.models.catalogue import load_catalogue

    entry = load_catalogue().get(model_id)
    if entry is None:
        raise ModelError(f"'{model_id}' is not in the model catalogue (see `pluk models list`)")
    return download_model(
        entry.repo,
        entry.filename,
        revision=entry.revision,
        expected_sha256=entry.sha256,
        expected_size=entry.size_bytes if entry.size_verified else None,
        catalogue_id=entry.id,
        licence=entry.licence,
        on_progress=on_progress,
        should_stop=should_stop,
        timeout=timeout,
    )


def _fetch_metadata(repo: str, filename: str, revision: str, timeout: float | None, what: str):
    import huggingface_hub.constants as constants
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    endpoint = hub_endpoint()
    url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint)
    try:
        return get_hf_file_metadata(
            url,
            timeout=timeout if timeout is not None else constants.HF_HUB_ETAG_TIMEOUT,
            library_name="pluk",
            library_version=__version__,
            endpoint=endpoint,
        )
    except Exception as exc:
        error = network_error(exc, what)
        if error is None:
            raise
        raise error from exc


def _check_disk_space(folder: Path, size: int | None, resume: int, what: str) -> None:
    if size is None:
        return  # the server did not say; http_get still checks the final size
    needed = size - resume + DISK_MARGIN
    free = store.disk_free(folder)
    if free < needed:
        raise ModelError(
            f"{what}: not enough free disk space in {paths.models_dir()}: "
            f"{format_bytes(needed)} needed, {format_bytes(free)} free"
        )


def _fetch_file(meta, part: Path, resume: int, size: int | None, filename: str,
                on_progress: ProgressCallback | None, should_stop: StopCheck | None,
                what: str) -> str:
    """Append the rest of the file to `part`; return the sha256 of the whole file."""
    from huggingface_hub import file_download
    from huggingface_hub.utils import build_hf_headers

    from pluk.core.models.transfer import sha256_with_progress

    hasher = hashlib.sha256()
    if resume:  # the bytes already there are part of the hash: read them once
        checking = ProgressMeter("checking", resume, on_progress)
        with part.open("rb") as fh:
            while chunk := fh.read(4 * 1024 * 1024):
                if should_stop is not None and should_stop():
                    raise CancelledError(f"{what} cancelled; run it again to resume")
                hasher.update(chunk)
                checking.update(fh.tell())
    headers = build_hf_headers(library_name="pluk", library_version=__version__)
    if urlsplit(meta.location).netloc != urlsplit(hub_endpoint()).netloc:
        headers.pop("authorization", None)  # a signed CDN URL: the token stays with the Hub
    kwargs: dict[str, Any] = {
        "resume_size": resume, "headers": headers, "expected_size": size,
        "displayed_filename": filename,
    }
    if "tqdm_class" in inspect.signature(file_download.http_get).parameters:
        kwargs["tqdm_class"] = _NoBar
    meter = ProgressMeter("downloading", size, on_progress, start=resume)
    meter.update(resume, force=True)
    if should_stop is not None and should_stop():
        raise CancelledError("Download cancelled")
    with part.open("ab") as fh:
        sink = _HashingSink(fh, hasher, meter, should_stop)
        try:
            file_download.http_get(meta.location, sink, **kwargs)  # type: ignore[arg-type]
        except CancelledError:
            raise CancelledError(
                f"{what} cancelled after {format_bytes(fh.tell())} of {format_bytes(size)}; "
                "run it again to resume"
            ) from None
        except OSError as exc:
            if "Consistency check failed" in str(exc):  # more or fewer bytes than announced
                fh.close()
                _discard(part)
                raise ModelError(f"{what}: the server sent a file of the wrong size") from exc
            error = network_error(exc, what)
            if error is None:
                raise
            raise ModelError(f"{error}; run it again to resume") from exc
        except Exception as exc:
            error = network_error(exc, f"{what} stopped after {format_bytes(fh.tell())}")
            if error is None:
                raise
            raise ModelError(f"{error}; run it again to resume") from exc
        fh.flush()
        os.fsync(fh.fileno())
        final_size = fh.tell()
    meter.update(final_size, force=True)
    if not sink.hash_valid:
        return sha256_with_progress(part, on_progress, phase="verifying")
    return sink.hasher.hexdigest()
