"""Finding the knowledge-base files: the shipped base, then NQPF_KB, then --kb."""

# No `from __future__ import annotations`: NamedTuples pay for string annotations (models.py).

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from .errors import KnowledgeBaseError

YAML_SUFFIXES = (".yaml", ".yml")


class Layer(NamedTuple):
    """One file of the knowledge base and where it came from (shipped, NQPF_KB, --kb)."""

    path: Path
    origin: str


def shipped_path() -> Path:
    # The package's own folder, not importlib.resources: nqpf is never run from a zip, and
    # importing importlib.resources costs more than a lookup.
    return Path(__file__).with_name("data") / "terms.yaml"


def _xdg(variable: str, fallback: str, environ: Mapping[str, str]) -> Path | None:
    """The XDG base directory rule platformdirs applies on Linux, without importing it."""
    if not sys.platform.startswith("linux"):
        return None
    value = environ.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value) / "nqpf"
    return Path.home() / fallback / "nqpf"


def user_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user glossary folder, e.g. ~/.local/share/nqpf (XDG_DATA_HOME honoured)."""
    found = _xdg("XDG_DATA_HOME", ".local/share", os.environ if environ is None else environ)
    if found is not None:
        return found
    import platformdirs

    return Path(platformdirs.user_data_dir("nqpf", appauthor=False))


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    found = _xdg("XDG_CACHE_HOME", ".cache", os.environ if environ is None else environ)
    if found is not None:
        return found
    import platformdirs

    return Path(platformdirs.user_cache_dir("nqpf", appauthor=False))


def _user_layers() -> list[Layer]:
    folder = user_dir()
    try:
        files = sorted(
            child
            for child in folder.iterdir()
            if child.suffix.lower() in YAML_SUFFIXES and not child.name.startswith(".")
        )
    except OSError:  # no folder (the usual case) or one we cannot list: no user layer
        return []
    return [Layer(child, "user") for child in files]


def _expand(raw: str, origin: str) -> list[Layer]:
    """`_expand_path`, with every failure of the file system as one clean error."""
    try:
        return _expand_path(raw, origin)
    except RuntimeError as exc:  # `~nobody/x`: no such user, so no home to expand
        raise KnowledgeBaseError(f"{raw}: {exc}") from None
    except OSError as exc:  # a name too long, a folder that may not be listed …
        raise KnowledgeBaseError(f"{raw}: {(exc.strerror or str(exc)).lower()}") from None


def _expand_path(raw: str, origin: str) -> list[Layer]:
    path = Path(raw).expanduser()
    if path.is_dir():
        files = sorted(
            child
            for child in path.iterdir()
            if child.suffix.lower() in YAML_SUFFIXES and not child.name.startswith(".")
        )
        if not files:
            raise KnowledgeBaseError(f"{raw}: directory has no *.yaml or *.yml files")
        return [Layer(child, origin) for child in files]
    if path.exists():
        return [Layer(path, origin)]
    if path.is_symlink():
        raise KnowledgeBaseError(f"{raw}: symbolic link to nothing (a missing target or a loop)")
    raise KnowledgeBaseError(f"{raw}: no such file or directory")


def env_paths(environ: Mapping[str, str]) -> list[str]:
    value = environ.get("NQPF_KB", "")
    return [part for part in value.split(os.pathsep) if part.strip()]


def discover(
    extra: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    include_shipped: bool = True,
    include_user: bool = True,
) -> list[Layer]:
    """Layers in order: shipped base, the user folder, NQPF_KB, then --kb paths."""
    environ = os.environ if environ is None else environ
    layers: list[Layer] = []
    if include_shipped:
        layers.append(Layer(shipped_path(), "shipped"))
    if include_user:
        layers.extend(_user_layers())
    for raw in env_paths(environ):
        layers.extend(_expand(raw, "NQPF_KB"))
    for raw in extra:
        layers.extend(_expand(raw, "--kb"))
    return layers
