"""从手机/相机导入: find phones, cameras and memory cards the computer has mounted, and let the clerk pick one.

Linux: mounts under /media, /run/media and /mnt (USB drives, SD cards,
cameras in mass-storage mode), plus phones that GNOME mounts over MTP under
/run/user/<uid>/gvfs. Windows: every drive letter except the system drive
(cameras and card readers get a letter; a phone over MTP does not — the
dialog says to copy the photos to a folder first). On a device the photo
folder is `DCIM` (the camera standard), looked for at the root and one level
down (phones show "内部存储/DCIM").
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.photos.common import human_size

REMOVABLE_PREFIXES = ("/media/", "/run/media/", "/mnt/")
PHOTO_FOLDER = "DCIM"


@dataclass(frozen=True)
class CameraVolume:
    """A mounted device that may hold photos: its name, root, and the folder to import."""

    name: str
    root: str
    photo_folder: str
    free_text: str = ""

    @property
    def has_dcim(self) -> bool:
        return Path(self.photo_folder).name.upper() == PHOTO_FOLDER


def is_removable_root(root: str, platform: str = sys.platform, system_drive: str | None = None) -> bool:
    """Whether a mount point looks like a phone, camera or memory card rather than the computer's own disk."""
    if not root:
        return False
    if platform.startswith("win"):
        system = (system_drive or os.environ.get("SystemDrive", "C:")).rstrip("\\/").upper()
        drive = root.replace("\\", "/").rstrip("/").upper()
        return len(drive) == 2 and drive[1] == ":" and drive != system
    normalized = root.rstrip("/") + "/"
    if "/gvfs/" in normalized and "mtp:" in normalized:
        return True
    return any(normalized.startswith(prefix) and normalized != prefix for prefix in REMOVABLE_PREFIXES)


def find_photo_folder(root: Path) -> Path:
    """`DCIM` at the root or one level down (phones: 内部存储/DCIM); else the root itself."""
    try:
        for candidate in (root, *sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))):
            for child in (candidate / PHOTO_FOLDER, candidate / PHOTO_FOLDER.lower()):
                if child.is_dir():
                    return child
    except OSError:
        pass
    return root


def gvfs_phone_roots() -> list[Path]:
    """Phones mounted by GNOME over MTP (Linux only)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return []
    gvfs = Path(f"/run/user/{getuid()}/gvfs")
    try:
        return sorted(p for p in gvfs.iterdir() if p.name.startswith("mtp:"))
    except OSError:
        return []


def camera_volumes() -> list[CameraVolume]:
    """Mounted phones, cameras and cards, each with its photo folder."""
    volumes: list[CameraVolume] = []
    seen: set[str] = set()
    for storage in QStorageInfo.mountedVolumes():
        root = storage.rootPath()
        if not storage.isValid() or not storage.isReady() or not is_removable_root(root) or root in seen:
            continue
        seen.add(root)
        name = storage.displayName() or storage.name() or root
        free = tr("剩余 {free} / 共 {total}").format(free=human_size(storage.bytesAvailable()),
                                                     total=human_size(storage.bytesTotal()))
        volumes.append(CameraVolume(name, root, str(find_photo_folder(Path(root))), free))
    for root in gvfs_phone_roots():
        if str(root) not in seen:
            volumes.append(CameraVolume(tr("手机（{name}）").format(name=root.name.removeprefix("mtp:host=")),
                                        str(root), str(find_photo_folder(root))))
    return volumes


class CameraImportDialog(QDialog):
    """Pick a connected phone/camera (or any folder); `chosen_folder()` is what to import."""

    def __init__(self, parent: QWidget | None = None, volumes: list[CameraVolume] | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("从手机/相机导入照片"))
        self.setMinimumWidth(560)
        self._other_folder: str | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel(tr("用数据线连接手机（在手机上选择“传输文件”）或插入相机存储卡，然后选择设备。"
                          "系统会导入其中 DCIM 文件夹里的照片；原图只读取、不改动，已导入过的照片会自动跳过。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        caption = QLabel(tr("已连接的设备：(&D)"), self)
        layout.addWidget(caption)
        self.list = QListWidget(self)
        self.list.setMinimumHeight(150)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        caption.setBuddy(self.list)
        layout.addWidget(self.list)
        self.empty_hint = QLabel(tr("没有发现手机或相机。请检查数据线，手机解锁后选择“传输文件”；"
                                    "Windows 下手机不显示盘符时，请先把照片复制到电脑上的文件夹，再用“选择其他文件夹”。"), self)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setObjectName("muted")
        layout.addWidget(self.empty_hint)
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton(tr("导入所选设备的照片(&I)"), QDialogButtonBox.ButtonRole.AcceptRole)
        refresh = QPushButton(tr("刷新(&R)"), self)
        refresh.clicked.connect(lambda: self.set_volumes(camera_volumes()))
        other = QPushButton(tr("选择其他文件夹…(&O)"), self)
        other.clicked.connect(self._choose_other)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(other, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_volumes(camera_volumes() if volumes is None else volumes)

    def set_volumes(self, volumes: list[CameraVolume]) -> None:
        self.list.clear()
        for volume in volumes:
            folder = tr("照片文件夹：{path}").format(path=volume.photo_folder) if volume.has_dcim else tr(
                "未找到 DCIM 文件夹，将导入整个设备：{path}").format(path=volume.root)
            item = QListWidgetItem(f"{volume.name}\n{folder}" + (f"　{volume.free_text}" if volume.free_text else ""))
            item.setData(Qt.ItemDataRole.UserRole, volume.photo_folder)
            self.list.addItem(item)
        self.empty_hint.setVisible(not volumes)
        self.import_button.setEnabled(bool(volumes))
        if volumes:
            self.list.setCurrentRow(0)

    def _choose_other(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("选择照片所在的文件夹"))
        if folder:
            self._other_folder = folder
            self.accept()

    def chosen_folder(self) -> str | None:
        if self._other_folder:
            return self._other_folder
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
