"""The 照片存档 page: import (call and drop), flags and rejections, linking updates ✔/✘, viewer facts, exports, verify."""

from __future__ import annotations

import zipfile

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from sqlalchemy import select

from zwgk_desktop.core.models import Photo
from zwgk_desktop.services.photos import link_photo
from zwgk_desktop.services.photos.gallery import GalleryScope
from zwgk_desktop.ui.photos.page import IMPORT_TAB, VERIFY_TAB
from zwgk_desktop.ui.photos.results import ImportedModel

from .conftest import import_and_wait


def column_texts(model, column):
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_import_through_page_lists_flags_and_rejected_files(qtbot, page, camera_photos):
    """Importing shows each photo's flags in Chinese and each refused file with its reason, in 导入结果."""
    outcome = import_and_wait(qtbot, page, [camera_photos[k] for k in ("sharp", "blurry", "no_exif", "text")])
    assert len(outcome.imported) == 3 and len(outcome.rejected) == 1
    assert page.tabs.currentIndex() == IMPORT_TAB
    flags = dict(zip([t.split("\n")[0] for t in column_texts(page.results.model, ImportedModel.NAME)],
                     column_texts(page.results.model, ImportedModel.FLAGS)))
    assert "照片模糊" in flags["IMG_0002.jpg"]
    assert "无拍摄时间" in flags["IMG_0003.jpg"]
    assert flags["IMG_0001.jpg"] == "无"
    assert page.results.rejected.item(0, 0).text() == "notes.jpg"
    assert page.results.rejected.item(0, 1).text() == "不是图片"
    assert "3" in page.results.summary.text() and "1" in page.results.summary.text()


def test_dropping_files_on_the_page_imports_them(qtbot, page, camera_photos):
    """Dragging a photo from the file manager onto the page imports it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(camera_photos["sharp"]))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(page.imported, timeout=30000) as blocker:
        page.dropEvent(event)
    assert [card.original_name for card in blocker.args[0].imported] == ["IMG_0001.jpg"]


def test_confirming_the_suggested_link_marks_the_start_photo_present(qtbot, page, posting, camera_photos):
    """The new photo's suggestion is the posting of that day; confirming it turns the posting's 张贴照 ✘ into ✔."""
    with qtbot.waitSignal(page.groups_loaded, timeout=15000):
        page.refresh()
    assert page.scope_item(GalleryScope("posting", posting.posting_id)).text(1) == "✘"
    import_and_wait(qtbot, page, [camera_photos["sharp"]])
    editor = page.link_editor
    qtbot.waitUntil(lambda: bool(editor.suggestions), timeout=15000)
    top = editor.suggestions[0]
    assert top.posting.posting_id == posting.posting_id and top.role == "start"
    assert "红旗村村务公开栏" in editor.suggestion_list.item(0).text()
    assert "2026-03-02 至 2026-03-09" in editor.suggestion_list.item(0).text()
    with qtbot.waitSignal(page.link_changed, timeout=15000) as linked:
        editor.confirm()
    assert linked.args[0].evidence.has_start and not linked.args[0].evidence.has_end
    assert "✔" in editor.evidence.text()
    qtbot.waitUntil(lambda: page.scope_item(GalleryScope("posting", posting.posting_id)).text(1) == "✔", timeout=15000)
    assert page.scope_item(GalleryScope("notice", posting.disclosure_id)).text(1).startswith("✔ 1/1")
    assert "✔ 张贴照" in page.results.model.index(0, ImportedModel.LINK).data()


def test_gallery_of_a_notice_shows_its_photos_and_viewer_shows_exif(qtbot, page, database, posting, camera_photos):
    """Choosing the notice fills the gallery; opening a photo shows taken time with offset, device, GPS, size, hash."""
    from zwgk_desktop.services.photos import import_photos

    import_photos(database, page.config, [camera_photos["sharp"]], posting_id=posting.posting_id, role="start")
    with qtbot.waitSignal(page.groups_loaded, timeout=15000):
        page.refresh()
    with qtbot.waitSignal(page.gallery_loaded, timeout=15000) as loaded:
        page.show_scope(GalleryScope("notice", posting.disclosure_id))
    assert loaded.args == [1]
    page.gallery.setCurrentIndex(page.model.index(0))
    assert page.package_button.isEnabled() and page.caption_button.isEnabled()
    viewer = page.open_viewer()
    with qtbot.waitSignal(viewer.image_loaded, timeout=15000):
        pass
    facts = viewer.facts.facts()
    card = page.model.card(0)
    assert facts["taken"] == "2026-03-02 09:30:00 (+08:00)"
    assert facts["device"] == "HUAWEI ELS-AN00"
    assert "31.82" in facts["gps"] and "117.22" in facts["gps"]
    assert facts["size"].startswith("1800 × 1200")
    assert facts["sha256"] == card.sha256
    assert "红旗村村务公开栏" in facts["posting"] and "张贴照" in facts["posting"]
    fitted = viewer.view.zoom
    viewer.view.zoom_in()
    assert viewer.view.zoom > fitted
    viewer.view.fit()
    assert abs(viewer.view.zoom - fitted) < 1e-6
    viewer.close()


def test_exports_captioned_copy_and_evidence_package(qtbot, page, database, posting, camera_photos, tmp_path):
    """导出带说明的副本 writes a taller captioned JPEG; 导出证据包 writes a zip with the original photo."""
    from PIL import Image

    outcome = import_and_wait(qtbot, page, [camera_photos["sharp"]])
    photo_id = outcome.imported[0].id
    with qtbot.waitSignal(page.exported, timeout=30000) as copies:
        page.export_captioned_to(tmp_path / "copies", [photo_id])
    [written] = copies.args[0].written
    with Image.open(written) as image:
        assert image.height > 1200
    with database.session() as session:
        link_photo(session, photo_id, posting.posting_id, "start")
    with qtbot.waitSignal(page.exported, timeout=30000) as package:
        page.export_package_to(str(tmp_path / "evidence.zip"), posting.disclosure_id)
    assert package.args[0]["photos"] == 1
    with zipfile.ZipFile(tmp_path / "evidence.zip") as archive:
        assert any(name.startswith("photos/") for name in archive.namelist())
    assert "证据包已导出" in page.message.text()


def test_verify_reports_a_modified_original(qtbot, page, database, camera_photos):
    """After an archived original is altered, 校验照片档案 reports it as modified."""
    import_and_wait(qtbot, page, [camera_photos["sharp"], camera_photos["blurry"]])
    with database.session() as session:
        stored = session.scalars(select(Photo.stored_path).where(Photo.original_name == "IMG_0001.jpg")).one()
    path = page.config.archive_dir / stored
    path.write_bytes(path.read_bytes() + b"tampered")
    with qtbot.waitSignal(page.verified, timeout=30000) as verified:
        page.verify()
    result = verified.args[0]
    assert (result["checked"], result["missing"], result["modified"]) == (2, 0, 1)
    assert page.tabs.currentIndex() == VERIFY_TAB
    assert page.verify_panel.problem_codes() == ["modified"]
    assert "被改动 <b>1</b>" in page.verify_panel.summary.text()
    assert page.verify_panel.table.item(0, 0).text() == "原图被改动"


def test_install_puts_the_page_in_the_main_window(qtbot, config, database, tasks):
    """install(window) replaces the 照片存档 placeholder (the page is built when first asked for); showing it
    loads the groups."""
    from tests.ui.conftest import make_window
    from zwgk_desktop.ui.photos import PhotosPage, install

    window = make_window(qtbot, config, database, tasks)
    install(window)
    page = window.page("photos")
    assert isinstance(page, PhotosPage) and window.page("photos") is page
    with qtbot.waitSignal(page.groups_loaded, timeout=15000):
        window.show_page("photos")
    assert page.groups.topLevelItem(0).text(0) == "全部照片"


def test_camera_import_imports_the_chosen_devices_dcim(qtbot, page, camera_photos, tmp_path):
    """从手机/相机导入: picking a connected card imports the photos in its DCIM folder."""
    import shutil

    from zwgk_desktop.ui.photos.drives import CameraImportDialog, CameraVolume

    card = tmp_path / "card"
    (card / "DCIM" / "100CANON").mkdir(parents=True)
    shutil.copy(camera_photos["sharp"], card / "DCIM" / "100CANON" / "IMG_0001.jpg")
    (card / "MISC").mkdir()
    (card / "MISC" / "readme.txt").write_text("not a photo", encoding="utf-8")
    dialogs = []

    def camera_dialog():
        dialogs.append(CameraImportDialog(page, volumes=[CameraVolume("相机存储卡", str(card), str(card / "DCIM"))]))
        return dialogs[-1]

    page.camera_dialog = camera_dialog
    page.ask_camera_import()
    with qtbot.waitSignal(page.imported, timeout=30000) as blocker:
        dialogs[0].accept()
    assert [c.original_name for c in blocker.args[0].imported] == ["IMG_0001.jpg"]
