""""Check the package with": the SHA-256 checksum the vendor publishes, or a detached
signature file, for a package that is not signed with a key this computer trusts (what
the command line takes as ``--sha256`` and ``--signature``)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class PackageCheck(QGroupBox):
    """Two optional fields; empty means "the signature in the package, or IT's list"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packageCheck")
        self.setTitle(self.tr("Check the package with (only if the vendor's signature "
                              "cannot be checked on this computer)"))
        form = QFormLayout(self)
        self.sha256 = QLineEdit()
        self.sha256.setObjectName("sha256Edit")
        self.sha256.setPlaceholderText(self.tr("the SHA-256 checksum from the vendor's "
                                               "download page (64 hex digits)"))
        self.sha256.setClearButtonEnabled(True)
        self.sha256.textChanged.connect(self._check)
        self.problem = QLabel()
        self.problem.setObjectName("sha256Problem")
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        sha_row = QWidget()
        sha_layout = QHBoxLayout(sha_row)
        sha_layout.setContentsMargins(0, 0, 0, 0)
        sha_layout.addWidget(self.sha256, 1)
        sha_layout.addWidget(self.problem)
        sha_label = QLabel(self.tr("SHA-256 &checksum:"))
        sha_label.setBuddy(self.sha256)
        form.addRow(sha_label, sha_row)
        self.signature = QLineEdit()
        self.signature.setObjectName("signatureEdit")
        self.signature.setPlaceholderText(self.tr("a signature file (.asc or .sig) the "
                                                  "vendor publishes next to the package"))
        self.signature.setClearButtonEnabled(True)
        choose = QPushButton(self.tr("C&hoose…"))
        choose.setObjectName("signatureChoose")
        choose.clicked.connect(self._choose)
        sig_row = QWidget()
        sig_layout = QHBoxLayout(sig_row)
        sig_layout.setContentsMargins(0, 0, 0, 0)
        sig_layout.addWidget(self.signature, 1)
        sig_layout.addWidget(choose)
        sig_label = QLabel(self.tr("Signature &file:"))
        sig_label.setBuddy(self.signature)
        form.addRow(sig_label, sig_row)

    def _check(self) -> None:
        text = self.sha256.text().strip()
        bad = bool(text) and not _HEX64.match(text)
        self.problem.setText(self.tr("64 hex digits (0-9, a-f)") if bad else "")
        self.problem.setVisible(bad)

    def _choose(self) -> None:
        dialog = QFileDialog(self, self.tr("The package's signature file"), str(Path.home()),
                             self.tr("Signatures (*.asc *.sig)"))
        dialog.setObjectName("signatureFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.signature.setText)
        dialog.open()

    def values(self) -> tuple[str | None, Path | None]:
        """(sha256 or None, signature file or None) as the store takes them; a malformed
        checksum is passed on too, so the store's own check refuses it with its reason."""
        sha = self.sha256.text().strip() or None
        sig = self.signature.text().strip()
        return sha, (Path(sig) if sig else None)
