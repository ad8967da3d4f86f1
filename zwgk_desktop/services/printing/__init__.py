"""Printed outputs (posters now, 明白卡 later): ReportLab drawing through the font fallback chain.

`poster` renders the 公示 poster; `textrun` measures/wraps/draws text per code
point; `layout` holds page geometry and column fitting; `pdfmeta` makes the
output deterministic and writes it atomically.
"""
