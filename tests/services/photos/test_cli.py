"""`zwgk photos import|verify|package` as whole processes: JSON contract and exit codes."""

from __future__ import annotations

import shutil
import zipfile

from tests.conftest import run_cli
from zwgk_desktop.config import Config
from zwgk_desktop.core.schema import open_database

from .conftest import add_posting


def test_import_then_verify_catches_a_deleted_and_an_edited_photo(tmp_path, sample_photos):
    """CLI import lists imported/rejected per the contract; verify then reports missing and modified and exits 1."""
    source = tmp_path / "phone"
    (source / "sub").mkdir(parents=True)
    for kind in ("sharp", "rotated", "png"):
        shutil.copy(sample_photos[kind], source / "sub" / sample_photos[kind].name)
    shutil.copy(sample_photos["text"], source / "notes.jpg")
    data_dir = tmp_path / "data"

    code, payload, _ = run_cli("photos", "import", str(source), "--json", data_dir=data_dir)
    assert code == 0
    assert len(payload["imported"]) == 3
    rotated = next(item for item in payload["imported"] if item["path"].endswith("IMG_0002.jpg"))
    assert (rotated["width"], rotated["height"]) == (1200, 1800)
    assert set(rotated) >= {"path", "sha256", "taken_at", "width", "height", "flags"}
    assert payload["rejected"] == [
        {"path": str(source / "notes.jpg"), "code": "not_an_image", "message": payload["rejected"][0]["message"]}
    ]

    code, payload, _ = run_cli("photos", "verify", "--json", data_dir=data_dir)
    assert (code, payload["checked"], payload["ok"]) == (0, 3, True)

    archived = sorted((data_dir / "archive" / "photos").rglob("*.*"))
    archived[0].unlink()
    archived[1].write_bytes(archived[1].read_bytes() + b"tampered")
    code, payload, _ = run_cli("photos", "verify", "--json", data_dir=data_dir)
    assert code == 1  # a finding, like `backup verify` and `audit verify`
    assert (payload["checked"], payload["missing"], payload["modified"]) == (3, 1, 1)
    assert payload["ok"] is False


def test_package_command_writes_a_zip_and_bad_posting_is_exit_1(tmp_path, sample_photos):
    """`photos package` writes the zip; `--posting` with an unknown id exits 1 with a JSON error."""
    data_dir = tmp_path / "data"
    config = Config.load(data_dir)
    database = open_database(config)
    with database.session() as session:
        refs = add_posting(session)
    database.dispose()

    code, payload, _ = run_cli("photos", "import", str(sample_photos["sharp"]), "--posting", refs.posting_id,
                               "--role", "start", "--json", data_dir=data_dir)
    assert code == 0 and payload["imported"][0]["role"] == "start"
    out = tmp_path / "evidence.zip"
    code, payload, _ = run_cli("photos", "package", refs.disclosure_id, "-o", str(out), "--json", data_dir=data_dir)
    assert code == 0 and payload["photos"] == 1
    with zipfile.ZipFile(out) as archive:
        assert "manifest.json" in archive.namelist()

    code, payload, _ = run_cli("photos", "import", str(sample_photos["png"]), "--posting", "missing", "--json",
                               data_dir=data_dir)
    assert code == 1 and payload["error"]["code"] == "not_found"


def test_the_import_starts_decoding_before_the_database_layer_loads():
    """`photos import` starts its pool right after parsing: its parser (only the photos commands'), the
    importer and everything a probe or an archived original needs load without SQLAlchemy or the models
    (they load while photos decode)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from zwgk_desktop.cli import build_parser, parser_modules\n"
            "build_parser(parser_modules(['photos', 'import', 'x']))\n"
            "import zwgk_desktop.services.photos.importer, zwgk_desktop.services.photos.quality\n"
            "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'zwgk_desktop.core.models'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
