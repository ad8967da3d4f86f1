"""The first-run wizard walks a clerk through township, villages, admin, county and backup, and finishing sets them up."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from zwgk_desktop.core.models import Township, User, Village
from zwgk_desktop.ui.first_run import FirstRunWizard


def test_wizard_finishes_and_creates_the_township(qtbot, database, config):
    """Typing the answers page by page and pressing 完成 creates the township, its villages and the admin."""
    wizard = FirstRunWizard(database, config)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.township_page.township.setText("河口镇")
    assert wizard.button(QWizard.NextButton).isEnabled()
    wizard.next()
    assert not wizard.button(QWizard.NextButton).isEnabled()  # no villages yet
    wizard.villages_page.names.setPlainText("东村\n西村\n")
    wizard.next()
    wizard.admin_page.password.setText("short")
    wizard.admin_page.confirm.setText("short")
    assert not wizard.button(QWizard.NextButton).isEnabled()  # password too short
    wizard.admin_page.password.setText("long-enough-1")
    wizard.admin_page.confirm.setText("long-enough-2")
    assert "不一致" in wizard.admin_page.hint.text()
    wizard.admin_page.confirm.setText("long-enough-1")
    wizard.next()
    wizard.next()
    wizard.accept()
    assert wizard.result_summary["villages"] == ["东村", "西村"]
    with database.session() as s:
        assert s.execute(select(Township.name)).scalar() == "河口镇"
        assert len(s.execute(select(Village)).all()) == 2
        assert s.execute(select(User.username)).scalar() == "admin"


def test_cancelling_the_wizard_writes_nothing(qtbot, database, config):
    """Closing the wizard part-way leaves the database empty."""
    wizard = FirstRunWizard(database, config)
    qtbot.addWidget(wizard)
    wizard.township_page.township.setText("河口镇")
    wizard.reject()
    with database.session() as s:
        assert s.execute(select(Township)).first() is None
