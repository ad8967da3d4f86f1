"""One app window per data directory: starting the app again brings the open window to the front.

Clerks double-click the desktop icon again when the window hides behind
others; two windows on one database would each hold stale lists and fight
over the same notices. As in Anki (`aqt/__init__.py`), the first instance
listens on a `QLocalServer` named after the data directory (and the OS
user); a later start connects, asks it to show itself and exits at once.
A server left behind by a crashed instance is removed before listening.
The read-only 信息查阅点 (`zwgk kiosk`) does not take part.
"""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 500


def server_name(data_dir: str | Path) -> str:
    """A local server name unique to this OS user and data directory."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name available: the directory alone still separates installs
        user = ""
    key = f"{user}\0{Path(data_dir).expanduser().resolve()}".encode("utf-8")
    return "zwgk-desktop-" + hashlib.sha256(key).hexdigest()[:24]


class InstanceGuard(QObject):
    """Finds an app already running on the same data directory, or becomes the one others find."""

    activate_requested = Signal()  # another start asked this instance to come to the front

    def __init__(self, data_dir: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.server: QLocalServer | None = None

    def ask_running_instance(self) -> bool:
        """True when an instance is running on this data directory (it has been asked to show itself)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(ACTIVATE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Become the instance others find; False if the local server can't be created (we run anyway)."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)  # left behind by a crashed instance
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _accept(self) -> None:
        # The caller writes one short line right after connecting; read it here (a few ms) rather than
        # keep per-connection state. The sockets stay children of the server and go with it.
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket.bytesAvailable() or socket.waitForReadyRead(CONNECT_TIMEOUT_MS):
                if bytes(socket.readAll().data()).startswith(ACTIVATE.strip()):
                    self.activate_requested.emit()
            socket.abort()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def bring_to_front(window) -> None:
    """Show a (possibly minimised or hidden) main window on top and give it the focus."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
