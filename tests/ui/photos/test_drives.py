"""从手机/相机导入: which mounts count as phones/cameras, where their photos are, and what the dialog returns."""

from __future__ import annotations

from zwgk_desktop.ui.photos.drives import CameraImportDialog, CameraVolume, find_photo_folder, is_removable_root


def test_removable_mounts_on_linux_and_windows():
    """USB/camera mounts and MTP phones count on Linux; on Windows every drive letter but the system drive does."""
    assert is_removable_root("/media/clerk/NIKON D3500", "linux")
    assert is_removable_root("/run/media/clerk/3531-6331", "linux")
    assert is_removable_root("/mnt/sdcard", "linux")
    assert is_removable_root("/run/user/1000/gvfs/mtp:host=HUAWEI_ELS-AN00", "linux")
    assert not is_removable_root("/", "linux")
    assert not is_removable_root("/home", "linux")
    assert not is_removable_root("/media", "linux")
    assert is_removable_root("E:/", "win32", system_drive="C:")
    assert not is_removable_root("C:/", "win32", system_drive="C:")
    assert not is_removable_root("\\\\server\\share", "win32", system_drive="C:")


def test_photo_folder_is_dcim_at_the_root_or_one_level_down(tmp_path):
    """A camera card's DCIM is at its root; a phone's is under 内部存储; without one the whole device is used."""
    card = tmp_path / "card"
    (card / "DCIM" / "100NIKON").mkdir(parents=True)
    phone = tmp_path / "phone"
    (phone / "内部存储" / "DCIM" / "Camera").mkdir(parents=True)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert find_photo_folder(card) == card / "DCIM"
    assert find_photo_folder(phone) == phone / "内部存储" / "DCIM"
    assert find_photo_folder(stick) == stick


def test_dialog_returns_the_chosen_devices_photo_folder(qtbot, tmp_path):
    """With two devices listed, choosing the second returns its DCIM folder; with none, import is disabled."""
    volumes = [CameraVolume("U盘", "/media/a", "/media/a"), CameraVolume("相机存储卡", "/media/b", "/media/b/DCIM")]
    dialog = CameraImportDialog(volumes=volumes)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(1)
    assert dialog.chosen_folder() == "/media/b/DCIM"
    assert "照片文件夹" in dialog.list.item(1).text()
    dialog.set_volumes([])
    assert not dialog.import_button.isEnabled() and dialog.chosen_folder() is None
    assert not dialog.empty_hint.isHidden()
