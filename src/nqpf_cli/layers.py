"""Finding the knowledge-base files: the shipped base, then NQPF_KB, then --kb."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import KnowledgeBaseError

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Layer:
    """One file of the knowledge base and where it came from (shipped, NQPF_KB, --kb)."""

    path: Path
    origin: str


def shipped_path() -> Path:
    return Path(str(resources.files("nqpf_cli").joinpath("data", "terms.yaml")))


def user_dir() -> Path:
    """The per-user glossary folder, e.g. ~/.local/share/nqpf (XDG_DATA_HOME honoured)."""
    import platformdirs  # only paid for when layers are discovered

    return Path(platformdirs.user_data_dir("nqpf", appauthor=False))


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
