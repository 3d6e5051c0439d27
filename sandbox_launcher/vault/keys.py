"""The vault's key and save counter, one item per profile in the OS keyring.

Through ``keyring`` (Secret Service, KWallet, macOS, Windows). Never a file: a backend
that keeps secrets in a file (keyrings.alt and similar) or the "no keyring" stand-in is
refused, so the feature then says why it is unavailable instead of writing the key
next to the vault it protects.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from ..core.errors import VaultError

SERVICE = "sandbox-launcher"

#: keyring back-ends that keep secrets in an OS secret store, not in a file of ours.
_OS_STORES = ("keyring.backends.SecretService", "keyring.backends.libsecret",
              "keyring.backends.kwallet", "keyring.backends.macOS",
              "keyring.backends.Windows")


@dataclass(frozen=True)
class KeyItem:
    """What the keyring holds for one profile: the key, the last save's counter and nonce."""

    key: bytes
    counter: int
    nonce: bytes = b""

    def encode(self) -> str:
        """The item's secret: a small JSON document (the key base64-encoded)."""
        return json.dumps({"v": 1, "key": base64.b64encode(self.key).decode(),
                           "counter": self.counter,
                           "nonce": base64.b64encode(self.nonce).decode()})

    @classmethod
    def decode(cls, text: str) -> KeyItem:
        """Parse an item; raises ValueError when it is not one of ours."""
        try:
            doc = json.loads(text)
            item = cls(base64.b64decode(doc["key"], validate=True), int(doc["counter"]),
                       base64.b64decode(doc.get("nonce", ""), validate=True))
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise ValueError("not a vault key item") from exc
        if len(item.key) != 32 or item.counter < 0:
            raise ValueError("not a vault key item")
        return item


def username(profile: str) -> str:
    """The keyring item's user name for *profile* (the service is :data:`SERVICE`)."""
    return f"vault:{profile}"


def _unavailable(reason: str) -> VaultError:
    return VaultError(
        f"remembering sign-in is unavailable: {reason}",
        "the session runs without it; unlock or set up your desktop's keyring (GNOME "
        "Keyring, KWallet) and start the session again")


def default_backend() -> Any:
    """The OS keyring ``keyring`` chose, or raises VaultError saying why there is none."""
    import keyring
    import keyring.core
    from keyring.backends import chainer

    def usable_now() -> tuple[list[Any], list[Any]]:
        backend = keyring.get_keyring()
        parts = (list(backend.backends) if isinstance(backend, chainer.ChainerBackend)
                 else [backend])
        return parts, [b for b in parts if type(b).__module__.startswith(_OS_STORES)]

    try:
        parts, usable = usable_now()
        if not usable:
            # keyring chose once, at first use: a keyring that started since (the app ran
            # before the desktop's keyring) is found only by choosing again.
            keyring.core.init_backend()
            parts, usable = usable_now()
    except Exception as exc:  # keyring raises anything its back-ends raise at init
        raise _unavailable(f"the keyring could not be loaded ({exc})") from exc
    if not usable:
        names = ", ".join(type(b).__module__ + "." + type(b).__name__ for b in parts) or "none"
        raise _unavailable(f"no OS keyring (Secret Service, KWallet) is running (found: {names})")
    return usable[0]


class KeyStore:
    """Reads and writes profiles' key items; every keyring failure becomes a VaultError."""

    def __init__(self, backend: Any = None) -> None:
        #: An injected backend (tests: an in-memory one) is trusted as it is.
        self._backend = backend

    @property
    def backend(self) -> Any:
        """The keyring back-end in use (found on first use)."""
        if self._backend is None:
            self._backend = default_backend()
        return self._backend

    def _call(self, what: str, fn: Any, *args: str) -> Any:
        from keyring.errors import KeyringError, KeyringLocked

        try:
            return fn(*args)
        except KeyringLocked as exc:
            raise _unavailable("the keyring is locked and was not unlocked") from exc
        except KeyringError as exc:
            raise _unavailable(f"the keyring refused to {what} ({exc})") from exc
        except Exception as exc:  # D-Bus errors surface as back-end specific types
            raise _unavailable(f"the keyring failed to {what} ({type(exc).__name__}: {exc})"
                               ) from exc

    def load(self, profile: str) -> KeyItem | None:
        """The profile's item, None when there is none; raises VaultError otherwise."""
        text = self._call("read the key", self.backend.get_password, SERVICE, username(profile))
        if text is None:
            return None
        try:
            return KeyItem.decode(text)
        except ValueError as exc:
            raise VaultError(
                f"the keyring item for {profile!r} is not a vault key",
                f"remove it ('sandbox-launcher vault forget {profile}') to start afresh") from exc

    def store(self, profile: str, item: KeyItem) -> None:
        """Write (replace) the profile's item."""
        self._call("store the key", self.backend.set_password, SERVICE, username(profile),
                   item.encode())

    def delete(self, profile: str) -> bool:
        """Remove the profile's item; False when there was none."""
        if self.load(profile) is None:
            return False
        self._call("remove the key", self.backend.delete_password, SERVICE, username(profile))
        return True
