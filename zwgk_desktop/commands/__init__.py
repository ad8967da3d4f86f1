"""CLI command modules. Each exposes `register(subparsers)`; add new modules to the list."""

COMMAND_MODULES = [
    "zwgk_desktop.commands.app",
    "zwgk_desktop.commands.setup",
    "zwgk_desktop.commands.disclosures",
    "zwgk_desktop.commands.selftest",
    "zwgk_desktop.commands.calendar_cmd",
    "zwgk_desktop.commands.photos_cmd",
    "zwgk_desktop.commands.import_cmd",
    "zwgk_desktop.commands.print_cmd",
    "zwgk_desktop.commands.print_cards_cmd",
    "zwgk_desktop.commands.report_cmd",
    "zwgk_desktop.commands.backup_cmd",
    "zwgk_desktop.commands.kiosk_cmd",
    "zwgk_desktop.commands.sync_cmd",
    "zwgk_desktop.commands.county_cmd",
    "zwgk_desktop.commands.lifecycle_cmd",
    "zwgk_desktop.commands.verify_cmd",
    "zwgk_desktop.commands.audit_cmd",
    "zwgk_desktop.commands.db_cmd",
    "zwgk_desktop.commands.request_cmd",
]
