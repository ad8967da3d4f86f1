"""First run of a new installation: township, villages, administrator, county server, backup folder.

The wizard (ui/first_run.py) only collects `FirstRunAnswers`; the use case
`ops.settings.complete_first_run` validates all of them (`validate_answers`)
before writing anything, then sets up the township and the administrator in
one transaction (`set_up_township`) and saves the settings file
(`save_first_run_settings`). Village names may also come from the first
column of a spreadsheet (`read_village_names`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk_desktop.config import Config
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.core.users import create_first_admin
from zwgk_desktop.errors import InvalidInput

VILLAGE_HEADER_WORDS = ("村", "社区", "名称", "村名")


@dataclass
class FirstRunAnswers:
    township: str
    villages: list[str]
    admin_username: str
    admin_password: str
    county_name: str = ""
    supervise_phone: str = ""
    county_supervise_phone: str = ""
    county_url: str = ""
    enrollment_code: str = ""
    backup_dir: str = ""
    admin_display_name: str = ""
    notes: list[str] = field(default_factory=list)


def validate_answers(answers: FirstRunAnswers) -> None:
    if not answers.township.strip():
        raise InvalidInput("请填写乡镇名称。")
    if not [v for v in answers.villages if v.strip()]:
        raise InvalidInput("请至少填写一个村（社区）。")
    if answers.county_url and not answers.county_url.startswith(("http://", "https://")):
        raise InvalidInput("县级平台地址应以 https:// 开头，例如 https://zwgk.county.gov.cn。")
    if answers.backup_dir:
        target = Path(answers.backup_dir)
        if target.exists() and not target.is_dir():
            raise InvalidInput(f"备份位置 {target} 不是文件夹。")


def set_up_township(session: Session, answers: FirstRunAnswers) -> dict:
    """The township, its villages and boards, and the first administrator (in the caller's transaction)."""
    summary = init_township(
        session, answers.township, answers.villages, county_name=answers.county_name,
        supervise_phone=answers.supervise_phone, county_supervise_phone=answers.county_supervise_phone,
    )
    create_first_admin(session, answers.admin_username, answers.admin_password, answers.admin_display_name)
    return {"township": summary.name, "villages": summary.villages, "boards": summary.boards}


def save_first_run_settings(config: Config, answers: FirstRunAnswers) -> None:
    """The county address and backup folder into the settings file."""
    if answers.county_url:
        config.settings.county_url = answers.county_url.rstrip("/")
    if answers.backup_dir:
        config.settings.backup_dir = answers.backup_dir
    config.save_settings()


def read_village_names(path: str | Path) -> list[str]:
    """Village names from the first non-empty column of a spreadsheet's first sheet (header row skipped)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise InvalidInput(f"无法读取表格 {Path(path).name}：{exc}。请选择 .xlsx 或 .xls 文件。") from exc
    names: list[str] = []
    for row in rows:
        cell = next((str(c).strip() for c in row if str(c).strip()), "")
        if not cell or (not names and any(word == cell or cell.endswith("名称") for word in VILLAGE_HEADER_WORDS)):
            continue
        if cell not in names:
            names.append(cell)
    if not names:
        raise InvalidInput("表格中没有找到村（社区）名称：请把名称放在第一列。")
    return names
