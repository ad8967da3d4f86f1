"""The main window's pages (公示管理, 户籍台账); placeholders live in `ui.widgets`."""
