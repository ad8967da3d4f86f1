"""The first-run wizard: township and villages, administrator, county server, backup folder.

Collects answers only; on 完成 the use case `ops.settings.complete_first_run`
validates and writes them in one go (as `SETUP_ACTOR`: nobody has signed in
yet), so cancelling the wizard leaves nothing behind. It runs before the
app's task manager exists, inside the modal wizard, so it is called directly.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from zwgk_desktop.core.users import SETUP_ACTOR
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops.settings import complete_first_run
from zwgk_desktop.services.first_run import FirstRunAnswers, read_village_names
from zwgk_desktop.ui.i18n import tr


class TownshipPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(tr("第一步：乡镇信息"))
        self.setSubTitle(tr("这些信息印在每一张公示的标题和落款上，以后可在“设置”中修改。"))
        form = QFormLayout(self)
        self.township = QLineEdit(placeholderText=tr("例如：青山镇"))
        self.county = QLineEdit(placeholderText=tr("例如：安宁县"))
        self.phone = QLineEdit(placeholderText=tr("例如：0557-5021234"))
        self.county_phone = QLineEdit(placeholderText=tr("例如：0557-3021888"))
        form.addRow(tr("乡镇名称（必填）："), self.township)
        form.addRow(tr("所属县（市、区）："), self.county)
        form.addRow(tr("乡镇监督举报电话："), self.phone)
        form.addRow(tr("县级监督举报电话："), self.county_phone)
        self.registerField("township*", self.township)


class VillagesPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(tr("第二步：村（社区）"))
        self.setSubTitle(tr("每行一个村或社区。每个村（社区）会自动建立一块村务公开栏。"))
        layout = QVBoxLayout(self)
        self.names = QPlainTextEdit()
        self.names.setPlaceholderText(tr("青山村\n桃园村\n新河社区"))
        import_button = QPushButton(tr("从 Excel 导入名单(&I)…"))
        import_button.clicked.connect(self.import_names)
        layout.addWidget(self.names)
        layout.addWidget(import_button)
        self.names.textChanged.connect(self.completeChanged)

    def village_names(self) -> list[str]:
        return [line.strip() for line in self.names.toPlainText().splitlines() if line.strip()]

    def isComplete(self) -> bool:
        return bool(self.village_names())

    def import_names(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择村（社区）名单"), "", tr("表格 (*.xlsx *.xls)"))
        if not path:
            return
        try:
            names = read_village_names(path)
        except ZwgkError as exc:
            QMessageBox.warning(self, tr("无法导入"), exc.message)
            return
        self.names.setPlainText("\n".join(names))


class AdminPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(tr("第三步：管理员账号"))
        self.setSubTitle(tr("管理员可以添加经办人、审核人和村级用户。请牢记密码（至少 8 位）。"))
        form = QFormLayout(self)
        self.username = QLineEdit("admin")
        self.display = QLineEdit(placeholderText=tr("例如：党政办 张三"))
        self.password = QLineEdit(echoMode=QLineEdit.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.Password)
        form.addRow(tr("用户名："), self.username)
        form.addRow(tr("姓名："), self.display)
        form.addRow(tr("密码："), self.password)
        form.addRow(tr("确认密码："), self.confirm)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #b00020")
        form.addRow(self.hint)
        for edit in (self.username, self.password, self.confirm):
            edit.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        ok = bool(self.username.text().strip()) and len(self.password.text()) >= 8 and self.password.text() == self.confirm.text()
        mismatch = self.confirm.text() and self.password.text() != self.confirm.text()
        self.hint.setText(tr("两次输入的密码不一致") if mismatch else "")
        return ok


class CountyPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(tr("第四步：县级平台（可跳过）"))
        self.setSubTitle(tr("联网时自动把公示和照片同步到县政务公开平台。没有地址可先跳过，以后在“同步”中设置。"))
        form = QFormLayout(self)
        self.url = QLineEdit(placeholderText="https://")
        self.code = QLineEdit(placeholderText=tr("县里发放的一次性注册码"))
        form.addRow(tr("平台地址："), self.url)
        form.addRow(tr("注册码："), self.code)


class BackupPage(QWizardPage):
    def __init__(self, default_dir: str):
        super().__init__()
        self.setTitle(tr("第五步：备份位置"))
        self.setSubTitle(tr("系统每天自动备份一次数据和照片。建议选择 U 盘或另一块硬盘上的文件夹。"))
        layout = QHBoxLayout(self)
        self.folder = QLineEdit(default_dir)
        browse = QPushButton(tr("浏览(&B)…"))
        browse.clicked.connect(self.browse)
        layout.addWidget(self.folder)
        layout.addWidget(browse)

    def browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("选择备份文件夹"), self.folder.text())
        if path:
            self.folder.setText(path)


class FirstRunWizard(QWizard):
    """Shown when the data dir has no township yet (and the user didn't ask for the demo)."""

    def __init__(self, database, config, parent=None):
        super().__init__(parent)
        self.database, self.config = database, config
        self.result_summary: dict | None = None
        self.setWindowTitle(tr("欢迎使用政务公开公示栏管理系统"))
        self.setWizardStyle(QWizard.ModernStyle)
        self.setMinimumSize(640, 460)
        self.township_page = TownshipPage()
        self.villages_page = VillagesPage()
        self.admin_page = AdminPage()
        self.county_page = CountyPage()
        self.backup_page = BackupPage(str(config.data_dir / "backups"))
        for page in (self.township_page, self.villages_page, self.admin_page, self.county_page, self.backup_page):
            self.addPage(page)
        self.setButtonText(QWizard.NextButton, tr("下一步(&N) >"))
        self.setButtonText(QWizard.BackButton, tr("< 上一步(&B)"))
        self.setButtonText(QWizard.FinishButton, tr("完成(&F)"))
        self.setButtonText(QWizard.CancelButton, tr("取消"))

    def answers(self) -> FirstRunAnswers:
        t, a, c = self.township_page, self.admin_page, self.county_page
        return FirstRunAnswers(
            township=t.township.text(), villages=self.villages_page.village_names(),
            county_name=t.county.text(), supervise_phone=t.phone.text(), county_supervise_phone=t.county_phone.text(),
            admin_username=a.username.text().strip(), admin_password=a.password.text(), admin_display_name=a.display.text(),
            county_url=c.url.text().strip(), enrollment_code=c.code.text().strip(), backup_dir=self.backup_page.folder.text().strip(),
        )

    def accept(self) -> None:
        try:
            self.result_summary = complete_first_run(self.database, SETUP_ACTOR, self.config, self.answers())
        except ZwgkError as exc:
            QMessageBox.warning(self, tr("无法完成设置"), exc.message)
            return
        super().accept()
