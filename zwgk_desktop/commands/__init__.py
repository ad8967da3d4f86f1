"""CLI command modules. Each exposes `register(subparsers)`; add new modules to the list."""

COMMAND_MODULES = [
    "zwgk_desktop.commands.app",
    "zwgk_desktop.commands.setup",
    "zwgk_desktop.commands.disclosures",
    "zwgk_desktop.commands.selftest",
    "zwgk_desktop.commands.calendar_cmd",
    "zwgk_desktop.commands.import_cmd",
]
