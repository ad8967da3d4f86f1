"""The 依申请公开 page (register, clock, letters, yearly report) and its 设置 tab.

`install(window)` (called by `ui.app` for every module in `EXTENSION_MODULES`)
adds the page to the navigation before 统计报表, a "依申请公开" tab to the
设置 page when it is there, and routes 今日待办 items about requests
(`request_id`) to the page.
"""

from __future__ import annotations

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.requests.page import RequestsPage
from zwgk_desktop.ui.requests.settings_tab import RequestSettingsTab

__all__ = ["RequestSettingsTab", "RequestsPage", "install"]


def install(window) -> RequestsPage:
    page = RequestsPage(window.tasks, window, actor_label=lambda: getattr(window.actor, "label", "") or "")
    keys = window.page_keys()
    position = keys.index("reports") if "reports" in keys else None
    window.add_page("requests", tr("依申请公开"), page, position=position)
    window.requests_page = page
    settings = window._pages.get("settings") if hasattr(window, "_pages") else None
    tabs = getattr(settings, "tabs", None)
    if tabs is not None:
        tabs.addTab(RequestSettingsTab(window.tasks, settings), tr("依申请公开"))
    today = window._pages.get("today") if hasattr(window, "_pages") else None
    if today is not None and hasattr(today, "open_requested"):
        today.open_requested.connect(lambda item: _open_from_todo(window, page, item))
    return page


def _open_from_todo(window, page: RequestsPage, item) -> None:
    request_id = getattr(item, "request_id", None)
    if request_id:
        window.show_page("requests")
        page.select_request(request_id)
