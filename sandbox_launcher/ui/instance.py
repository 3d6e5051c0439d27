"""The running app's end of :mod:`session.instance`: a QLocalServer that takes links."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ..session import instance


class InstanceServer(QObject):
    """Listens on the app's socket; each second start's message becomes ``handed``."""

    #: a second start asked to be shown, with a link ("" for none)
    handed = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the app lock: a socket file left there is a dead app's, never a live one.
        QLocalServer.removeServer(str(path))
        if not self.server.listen(str(path)):
            raise OSError(f"cannot listen on {path}: {self.server.errorString()}")
        self.server.newConnection.connect(self._accept)
        self.buffers: dict[QLocalSocket, bytes] = {}

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            self.buffers[conn] = b""
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(lambda c=conn: self._done(c))

    def _read(self, conn: QLocalSocket) -> None:
        data = self.buffers.get(conn, b"") + bytes(conn.readAll().data())
        self.buffers[conn] = data[:instance.MAX_MESSAGE]
        if b"\n" in data or len(data) >= instance.MAX_MESSAGE:
            self._done(conn)

    def _done(self, conn: QLocalSocket) -> None:
        data = self.buffers.pop(conn, None)
        if data is None:
            return
        conn.disconnectFromServer()
        conn.deleteLater()
        self.handed.emit(instance.decode(data))

    def close(self) -> None:
        """Stop listening (the socket file goes with it)."""
        self.server.close()
