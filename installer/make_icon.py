"""Draw the app icon (a red notice board with 公示) into resources/icons as PNG sizes and a Windows .ico."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"


def draw(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    pad = size // 16
    d.rounded_rectangle((pad, pad, size - pad, size - pad), radius=size // 8, fill=(190, 30, 45, 255))
    inner = size // 6
    d.rounded_rectangle((inner, inner, size - inner, size - inner * 1.3), radius=size // 24, fill=(255, 250, 240, 255))
    font = ImageFont.truetype(str(ROOT / "resources/fonts/wqy-microhei.ttc"), int(size * 0.27), index=0)
    d.text((size / 2, size * 0.44), "公示", font=font, fill=(190, 30, 45, 255), anchor="mm")
    d.rectangle((size * 0.3, size - inner * 1.3, size * 0.36, size - pad * 1.5), fill=(255, 250, 240, 255))
    d.rectangle((size * 0.64, size - inner * 1.3, size * 0.7, size - pad * 1.5), fill=(255, 250, 240, 255))
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big.save(OUT / "zwgk.png")
    draw(64).save(OUT / "zwgk-64.png")
    big.save(OUT / "zwgk.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"icons written to {OUT}")
