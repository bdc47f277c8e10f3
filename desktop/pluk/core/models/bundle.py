"""Models shipped with the app by the offline installer (`--with-model FILE.gguf`).

The build scripts copy the chosen GGUF into a `models/` folder next to the executable, outside
the PyInstaller bundle, together with `bundled-models.json` (file name, size, sha256, optional
catalogue id), so the app never has to hash a multi-gigabyte file on first start. Where that
folder is:

  Linux tarball / .deb   <app>/models/            (/opt/pluk/models)
  Windows                <install dir>\\models\\
  macOS                  Pluk.app/Contents/Resources/models/

`PLUK_BUNDLED_MODELS` overrides it (tests, portable installs). The folder is read-only for the
user (it may lie under /opt or Program Files): the model store registers these files in place
and never moves or deletes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from pydantic import BaseModel

MANIFEST = "bundled-models.json"


class BundledModel(BaseModel):
    filename: str
    size_bytes: int
    sha256: str
    catalogue_id: str | None = None
    path: str = ""  # absolute, filled in when read


def _candidates() -> list[Path]:
    override = os.environ.get("PLUK_BUNDLED_MODELS")
    if override:
        return [Path(override)]
    if not getattr(sys, "frozen", False):
        return []
    exe_dir = Path(sys.executable).resolve().parent
    out = [exe_dir / "models"]
    if sys.platform == "darwin":  # Pluk.app/Contents/MacOS/pluk -> Contents/Resources/models
        out.append(exe_dir.parent / "Resources" / "models")
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        out.append(Path(meipass) / "models")
    return out


def bundled_models_dir() -> Path | None:
    """The folder of models shipped with this installation, or None when there is none."""
    for folder in _candidates():
        if folder.is_dir():
            return folder
    return None


def bundled_models() -> list[BundledModel]:
    """The shipped models that are present, from the manifest; a .gguf the manifest does not
    list (dropped in by an administrator) is listed with an empty sha256, for the store to hash."""
    folder = bundled_models_dir()
    if folder is None:
        return []
    listed: dict[str, BundledModel] = {}
    manifest = folder / MANIFEST
    if manifest.is_file():
        for item in json.loads(manifest.read_text(encoding="utf-8")).get("models", []):
            model = BundledModel.model_validate(item)
            listed[model.filename] = model
    out = []
    for path in sorted(folder.glob("*.gguf")):
        model = listed.get(path.name) or BundledModel(
            filename=path.name, size_bytes=path.stat().st_size, sha256="")
        if model.size_bytes != path.stat().st_size:  # replaced since the build: hash again
            model = model.model_copy(update={"sha256": "", "size_bytes": path.stat().st_size})
        out.append(model.model_copy(update={"path": str(path.resolve())}))
    return out


def write_manifest(folder: str | Path, catalogue_ids: dict[str, str] | None = None) -> Path:
    """Hash every .gguf in `folder` and write bundled-models.json (build time only)."""
    folder = Path(folder)
    models = []
    for path in sorted(folder.glob("*.gguf")):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                digest.update(block)
        models.append(BundledModel(filename=path.name, size_bytes=path.stat().st_size,
                                   sha256=digest.hexdigest(),
                                   catalogue_id=(catalogue_ids or {}).get(path.name)))
    target = folder / MANIFEST
    target.write_text(json.dumps(
        {"schema_version": 1, "models": [m.model_dump(exclude={"path"}) for m in models]},
        indent=2) + "\n", encoding="utf-8")
    return target


def catalogue_ids_by_filename() -> dict[str, str]:
    """File name -> catalogue id, so a shipped catalogue model keeps its catalogue identity."""
    try:
        from pluk.core.models.catalogue import load_catalogue

        return {entry.filename: entry.id for entry in load_catalogue().models}
    except Exception:  # no catalogue module or file: the models are listed without an id
        return {}


if __name__ == "__main__":  # python -m pluk.core.models.bundle FOLDER  (used by packaging scripts)
    print(write_manifest(sys.argv[1], catalogue_ids_by_filename()))
