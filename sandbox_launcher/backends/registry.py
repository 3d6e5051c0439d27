"""Which backends exist, and which one a session uses.

Backends are imported only when asked for, so ``run`` under namespaces never loads
libvirt. The choice: the profile's ``backend``, overridden by the command line or the
app, overridden by the system policy (an administrator's lock wins).

A :class:`Registry` is passed to whoever starts or cleans sessions; tests build one
with a recording fake beside (or instead of) the real backends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..core.errors import UsageError
from .base import SandboxBackend

NAMESPACE, VM = "namespace", "vm"
#: Every backend the launcher knows, for the command line's and the schema's choices.
BACKEND_NAMES = (NAMESPACE, VM)

Factory = Callable[[], SandboxBackend]


def _namespace() -> SandboxBackend:
    from .namespace.backend import NamespaceBackend

    return NamespaceBackend()


def _vm() -> SandboxBackend:
    from .vm.backend import VmBackend  # libvirt only for those who ask for a VM

    return VmBackend()


class Registry:
    """Backend factories by name."""

    def __init__(self, factories: Mapping[str, Factory] | None = None) -> None:
        self._factories: dict[str, Factory] = dict(
            factories if factories is not None else {NAMESPACE: _namespace, VM: _vm})

    def replace(self, name: str, factory: Factory) -> None:
        """Build *name* with *factory* from now on (the app's VM backend, which takes
        from its warm pool)."""
        self._factories[name] = factory

    def names(self) -> tuple[str, ...]:
        """The names this registry can build."""
        return tuple(self._factories)

    def get(self, name: str) -> SandboxBackend:
        """A fresh backend object (UsageError naming the choices when unknown)."""
        try:
            factory = self._factories[name]
        except KeyError:
            raise UsageError(f"there is no backend {name!r}",
                             f"choose one of: {', '.join(self.names())}") from None
        return factory()

    def choose(self, profile: str, requested: str | None, locked: str | None = None) -> str:
        """The backend a session uses: the policy's lock, else the request, else the
        profile's."""
        chosen = locked or requested or profile
        if chosen not in self._factories:
            raise UsageError(f"there is no backend {chosen!r}",
                             f"choose one of: {', '.join(self.names())}")
        return chosen
