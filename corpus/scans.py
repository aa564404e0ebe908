"""Scans made the way scanners and phones make them, from a rendered report PDF.

Each page of a text-layer PDF (rendered by LibreOffice) is rasterised by pdfium at a
scanner's resolution and then spoiled the way paper and scanners spoil it: tinted or grey
paper, a small skew, blur, JPEG artefacts, a red official seal stamped over part of a table,
a photographed page's slight perspective. The pages are written back as an image-only PDF
(one JPEG per page, no text layer), as a scanner's "scan to PDF" does, or as a DOCX whose
paragraphs are page images. The truth is the source report's: a scan changes no number.

    python -m corpus.scans --out DIR --n 12 --seed 3     # writes DIR/docs and DIR/gold
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

NOISES = ("clean", "skew", "blur", "jpeg", "paper", "seal", "photo")


@dataclass(frozen=True)
class ScanStyle:
    """How one scan is made: its resolution and the spoiling drawn for it."""

    dpi: int = 200
    skew: float = 0.0  # degrees, + counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels
    jpeg: int = 92  # JPEG quality of the stored page
    paper: tuple[int, int, int] = (255, 255, 255)
    seal: bool = False
    perspective: float = 0.0  # the page's top edge narrowed by this share (a photo from below)

    @property
    def name(self) -> str:
        kinds = [k for k, on in (("skew", self.skew), ("blur", self.blur), ("jpeg", self.jpeg < 60),
                                 ("paper", self.paper != (255, 255, 255)), ("seal", self.seal),
                                 ("photo", self.perspective)) if on]
        return f"{self.dpi}dpi-" + ("+".join(kinds) or "clean")


def draw_style(rng: random.Random, dpi: int, noise: str) -> ScanStyle:
    """One style of a kind of noise, its strength drawn at random."""
    if noise == "skew":
        return ScanStyle(dpi, skew=rng.choice((-1, 1)) * rng.uniform(0.3, 2.0))
    if noise == "blur":
        return ScanStyle(dpi, blur=rng.uniform(0.6, 1.2))
    if noise == "jpeg":
        return ScanStyle(dpi, jpeg=rng.randint(25, 45))
    if noise == "paper":
        return ScanStyle(dpi, paper=rng.choice(((238, 230, 200), (225, 225, 225), (242, 236, 214))))
    if noise == "seal":
        return ScanStyle(dpi, seal=True)
    if noise == "photo":
        return ScanStyle(dpi, skew=rng.uniform(-1.0, 1.0), perspective=rng.uniform(0.005, 0.015),
                         paper=(236, 234, 226), blur=0.5)
    return ScanStyle(dpi)


def page_images(pdf_bytes: bytes, style: ScanStyle, rng: random.Random) -> list:
    """The PDF's pages as spoiled scan images (PIL, RGB)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        pages = [pdf[i].render(scale=style.dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()
    return [_spoil(page, style, rng) for page in pages]


def _spoil(img, style: ScanStyle, rng: random.Random):
    from PIL import Image, ImageChops, ImageFilter

    if style.seal:  # on every page: over part of a table wherever it falls
        img = _stamp(img, rng)
    if style.paper != (255, 255, 255):  # ink stays dark, white turns to the paper's colour
        img = ImageChops.multiply(img, Image.new("RGB", img.size, style.paper))
    if style.perspective:
        img = _perspective(img, style.perspective, style.paper)
    if style.skew:
        img = img.rotate(style.skew, resample=Image.BICUBIC, expand=False, fillcolor=style.paper)
    if style.blur:
        img = img.filter(ImageFilter.GaussianBlur(style.blur))
    img = _sensor_noise(img, rng)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=style.jpeg)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _sensor_noise(img, rng: random.Random):
    """A scanner's sensor noise: a little, always."""
    import numpy as np
    from PIL import Image

    a = np.asarray(img, dtype=np.int16)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 4, a.shape[:2])[..., None]
    return Image.fromarray(np.clip(a + noise, 0, 255).astype(np.uint8))


def _stamp(img, rng: random.Random):
    """A red official seal (a ring, a star, an arc of characters' strokes) somewhere over the
    page's lower half, semi-transparent as stamp ink is."""
    from PIL import Image, ImageDraw

    w, h = img.size
    r = int(min(w, h) * rng.uniform(0.09, 0.13))
    cx, cy = rng.randint(r + 10, w - r - 10), rng.randint(h // 3, h - r - 10)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (210, 30, 40, rng.randint(150, 200))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 14))
    star = [(cx + (r * 0.3 if k % 2 == 0 else r * 0.12) * math.cos(math.pi / 2 + k * math.pi / 5),
             cy - (r * 0.3 if k % 2 == 0 else r * 0.12) * math.sin(math.pi / 2 + k * math.pi / 5)) for k in range(10)]
    d.polygon(star, fill=red)
    for k in range(14):  # the arc of characters, as short strokes
        a = math.pi * (0.15 + 0.7 * k / 13)
        x, y = cx - r * 0.72 * math.cos(a), cy - r * 0.72 * math.sin(a)
        d.rectangle((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), outline=red, width=2)
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def _perspective(img, share: float, paper):
    from PIL import Image

    w, h = img.size
    dx = w * share
    # map the output quad to the input: the top edge comes from a narrower span
    coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)], [(-dx, 0), (w + dx, 0), (w, h), (0, h)])
    return img.transform(img.size, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=paper)


def _perspective_coeffs(out_quad, in_quad) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(out_quad, in_quad):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for _, p in zip(out_quad, in_quad) for c in p], dtype=float)
    return list(np.linalg.solve(a, b))


def to_pdf(images) -> bytes:
    """An image-only PDF, one JPEG page per image, as a scanner writes it."""
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def to_docx(images) -> bytes:
    """A Word file whose paragraphs are the page images (a scan pasted into Word)."""
    import docx
    from docx.shared import Inches

    d = docx.Document()
    for img in images:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        buf.seek(0)
        d.add_picture(buf, width=Inches(6.0))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
