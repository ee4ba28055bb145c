"""Draws media/icon.png (the Marketplace icon): a film reel whose sprockets are scatter points."""
import math
from PIL import Image, ImageDraw

S = 512  # drawn large, downsampled for smooth edges
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle([16, 16, S - 16, S - 16], radius=96, fill=(24, 32, 56, 255))
c, r = S / 2, 176
d.ellipse([c - r, c - r, c + r, c + r], fill=(236, 240, 248, 255))
d.ellipse([c - 28, c - 28, c + 28, c + 28], fill=(24, 32, 56, 255))
palette = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
for i in range(5):
    a = -math.pi / 2 + i * 2 * math.pi / 5
    x, y, rr = c + 104 * math.cos(a), c + 104 * math.sin(a), 46
    d.ellipse([x - rr, y - rr, x + rr, y + rr], fill=palette[i] + (255,))
d.rectangle([c, c + r - 24, S - 56, c + r], fill=(236, 240, 248, 255))
img.resize((128, 128), Image.LANCZOS).save("media/icon.png")
