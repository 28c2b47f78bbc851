"""The model of the project holding some paths, from outside a check run (``wslint map``),
cached under the result cache's folder while no project file changes."""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path

from wslint import __version__
from wslint.core.options import Settings
from wslint.driver.discovery import discover_names
from wslint.driver.project import find_project_root
from wslint.flow.model import FlowModel

CACHE_FILE = "flow-model.pickle"


def model_of(
    paths: Sequence[Path], settings: Settings, cache_dir: Path | None = None
) -> tuple[FlowModel, Path]:
    """The model of the project the ``paths`` belong to, and the project's root."""
    root = find_project_root(list(paths))
    exclude = (*settings.exclude, *settings.extend_exclude)
    files = [Path(os.path.abspath(name)) for name in discover_names([root], exclude)] if root.is_dir() else []
    directory = None
    key = None
    if cache_dir is not None:
        directory = cache_dir if cache_dir.is_absolute() else root / cache_dir
        key = _key(files, settings)
        cached = _read(directory / CACHE_FILE, key)
        if cached is not None:
            return cached, root
    model = _build(root, files, settings)
    if directory is not None and key is not None:
        _write(directory / CACHE_FILE, key, model)
    return model, root


def _build(root: Path, files: list[Path], settings: Settings) -> FlowModel:
    from wslint.analysis.inference import forget_project
    from wslint.driver.checking import project_index
    from wslint.flow.build import build_model

    forget_project(root)
    index = project_index(root, files, settings)
    return build_model(index)


def _key(files: list[Path], settings: Settings) -> str:
    from wslint.driver.cache import project_digest, project_stats

    return f"{__version__}|{settings!r}|{project_digest(project_stats(files))}"


def _read(path: Path, key: str) -> FlowModel | None:
    try:
        with open(path, "rb") as stream:
            stored_key, model = pickle.load(stream)
    except Exception:  # noqa: BLE001 - a missing, old or broken cache is rebuilt
        return None
    return model if stored_key == key and isinstance(model, FlowModel) else None


def _write(path: Path, key: str, model: FlowModel) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as stream:
            pickle.dump((key, model), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written is only slower next time
