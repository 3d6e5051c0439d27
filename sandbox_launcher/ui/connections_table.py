"""The selected session's connections: name, address, country, bytes each way, and the
firewall's verdict (its rule as the tooltip), live while it runs, from the report after.

Its strings keep the translation context ``SessionsView`` they were written under.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..session.entries import SessionEntry
from .traffic_plot import human_bytes

CONN_COLUMNS = 6


class ConnectionsTable(QTableWidget):
    """One row a connection; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, CONN_COLUMNS, parent)
        translate = QCoreApplication.translate
        self.setObjectName("connectionTable")
        self.setAccessibleName(translate("SessionsView", "Connections"))
        self.setHorizontalHeaderLabels([
            translate("SessionsView", "Name"), translate("SessionsView", "Address"),
            translate("SessionsView", "Country"), translate("SessionsView", "Sent"),
            translate("SessionsView", "Received"), translate("SessionsView", "Verdict")])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def show_entry(self, entry: SessionEntry) -> None:
        """The session's connections: the live list, or the ended session's report's."""
        conns = entry.connections
        if entry.outcome is not None:
            conns = entry.outcome.report.get("network", {}).get("connections", conns)
        self.setRowCount(len(conns))
        for row, conn in enumerate(conns):
            verdict = (QCoreApplication.translate("SessionsView", "allowed")
                       if conn.get("verdict") == "allowed"
                       else QCoreApplication.translate("SessionsView", "blocked"))
            cells = (conn.get("name") or "—", f"{conn.get('ip')} {conn.get('protocol')}/"
                     f"{conn.get('port')}", conn.get("country") or "?",
                     human_bytes(int(conn.get("bytes_out", 0))),
                     human_bytes(int(conn.get("bytes_in", 0))), verdict)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setToolTip(str(conn.get("rule", "")))
                self.setItem(row, col, item)
