"""Heavy work without Qt: printing, photos, rosters, sync, backup, reports."""
