"""Crops the Get Started walkthrough's images from the e2e suite's screenshots.

Run after `npm run test:e2e` (screenshots in test-results/, the README's in media/screenshots/):
  /usr/bin/python3 scripts/make_walkthrough_media.py
"""
import os
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'media', 'walkthrough')
WIDTH = 760  # the walkthrough's media column; twice that would only grow the VSIX

# name: (source screenshot, crop box in the 1400×860 screenshot)
CROPS = {
    'runs-dark.png': ('media/screenshots/run-overview-dark.png', (0, 35, 760, 320)),
    'runs-light.png': ('media/screenshots/run-overview-light.png', (0, 35, 760, 320)),
    'add-folder.png': ('media/screenshots/runs-welcome.png', (0, 35, 700, 400)),
    'timeline.png': ('media/screenshots/embeddings-light.png', (350, 35, 1400, 800)),
    'animation.png': ('test-results/animation-gif.png', (352, 70, 1112, 270)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (source, box) in CROPS.items():
        path = os.path.join(ROOT, source)
        if not os.path.exists(path):
            sys.exit(f'{source} is missing: run the e2e suite first')
        img = Image.open(path).convert('RGB').crop(box)
        img = img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)
        img = img.quantize(colors=128, method=Image.MEDIANCUT, dither=Image.NONE)
        img.save(os.path.join(OUT, name), optimize=True)
        print(name, img.size, os.path.getsize(os.path.join(OUT, name)))


if __name__ == '__main__':
    main()
