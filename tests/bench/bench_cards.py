"""Benchmark: 惠民政策资金明白卡 for every household on A6 four-up, against a bare ReportLab loop.

Standalone (not collected by pytest)::

    .venv/bin/python tests/bench/bench_cards.py [HOUSEHOLDS=5000] [RUNS=3]

1. prepares a data dir with `zwgk demo --households N`;
2. times `zwgk print cards --kind household --layout a6x4` as a whole process;
3. dumps every card's lines (untimed) and times a separate process that only
   registers the same fonts (plain ReportLab `TTFont`, not the app's faster
   loader) and draws the same lines with `canvas.drawString` on the same A4
   sheets, four cards a sheet — the floor for this output;
4. prints wall and CPU time (user + sys of the child process; meaningful on a
   loaded machine) of both, and both ratios (goal ≤ 1.5).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_poster import verdicts  # noqa: E402
from tests.bench.runner import ROOT, python, report_both, time_process_cpu  # noqa: E402

GOAL_RATIO = 1.5

DUMP = r"""
import json, sys
from datetime import date
from zwgk_desktop.config import Config
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.household_policies import gather_policies, select_households, township_contact
from zwgk_desktop.services.printing.cards import household_card, load_card_template
config = Config.load(sys.argv[1])
db = open_database(config)
with db.session() as s:
    cards = gather_policies(s, select_households(s), date.today().year)
    contact = township_contact(s)
template = load_card_template("household")
lines = []
for p in cards:
    card = household_card(p, contact, template, compact=True)
    lines.append([card.title, card.subtitle] + [t for b in card.blocks for t in (*b.texts, b.amount) if t])
json.dump(lines, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""

BASELINE = r"""
import json, sys
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from zwgk_desktop.services.fonts import font_chain
names = []
for face in font_chain():  # plain ReportLab registration of the same three fonts
    pdfmetrics.registerFont(TTFont(face.name, str(face.path), subfontIndex=face.subfont_index))
    names.append(face.name)
cards = json.load(open(sys.argv[1], encoding="utf-8"))
c = canvas.Canvas(sys.argv[2], pagesize=A4, pageCompression=1)
w, h = A4
for i, lines in enumerate(cards):
    slot = i % 4
    x0 = (slot % 2) * w / 2 + 18
    y = h - (slot // 2) * h / 2 - 30
    for line in lines:
        c.setFont(names[0], 12)
        c.drawString(x0, y, line[:21])
        y -= 16
    if slot == 3 or i == len(cards) - 1:
        c.showPage()
c.save()
"""


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="bench-cards-") as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        subprocess.run([python(), "-m", "zwgk_desktop", "--data-dir", str(data_dir), "demo", "--households",
                        str(households), "--json"], cwd=ROOT, check=True, capture_output=True)
        out = work / "cards.pdf"
        ours_cmd = [python(), "-m", "zwgk_desktop", "--data-dir", str(data_dir), "print", "cards", "--kind",
                    "household", "--layout", "a6x4", "--all-households", "-o", str(out), "--json"]  # every card, as the baseline
        ours = time_process_cpu(ours_cmd, runs=runs)
        result = json.loads(subprocess.run(ours_cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        print(f"cards: {result['cards']} households → {result['pages']} A4 sheets, {out.stat().st_size / 1e6:.1f} MB")

        dump = work / "lines.json"
        subprocess.run([python(), "-c", DUMP, str(data_dir), str(dump)], cwd=ROOT, check=True)
        baseline_cmd = [python(), "-c", BASELINE, str(dump), str(work / "baseline.pdf")]
        baseline = time_process_cpu(baseline_cmd, runs=runs)
        name = f"cards {households} households a6x4 vs bare ReportLab loop"
        report_both(name, ours, baseline)
        verdicts(name, ours, baseline, GOAL_RATIO)


if __name__ == "__main__":
    main()
