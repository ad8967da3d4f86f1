"""The 公示 poster, as a package: data (DTO and loading), wording, layout, paint.

- `data`: `PosterData` (everything drawn, already masked for the public), its
  content digest (the footer's check code), `PrintResult`, and reading a
  notice from the database (`build_poster_parts`, `village_parts`,
  `correction_summary`, the 标准 in force);
- `wording`: the template's words, the title, the 公示期 through `core.periods`,
  the table as text (columns empty in every row left out);
- `layout`: measuring and paginating (`PosterLayout`), the QR and seal band;
- `paint`: drawing the pages and `render_poster` / `render_posters` (pure:
  no database; the ops layer loads first, renders outside any session, then
  records the print: `ops.printing`).

`from zwgk_desktop.services.printing.poster import X` keeps working for the names below.
"""

from zwgk_desktop.services.printing.poster.data import (  # noqa: F401
    APPROVED_STATUSES,
    CodeSpec,
    EmptyNotice,
    PosterData,
    PrintResult,
    _item_values,
    _village_cell,
    build_poster_data,
    build_poster_parts,
    correction_note,
    is_stopped,
    short_hash_of,
    standard_text,
    village_part_by_name,
    village_parts,
)
from zwgk_desktop.services.printing.poster.layout import KEEP_ROWS, QR_MM, PosterLayout, qr_side, wrap_title  # noqa: F401
from zwgk_desktop.services.printing.poster.paint import PosterPainter, render_poster, render_posters  # noqa: F401
from zwgk_desktop.services.printing.poster.wording import (  # noqa: F401
    fill,
    format_fen,
    load_template,
    poster_title,
    village_suffix,
    watermark_text,
    wording_values,
)
