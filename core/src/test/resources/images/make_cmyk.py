"""Writes cmyk.jpg, the CMYK JPEG fixture of ImagesTest (Pillow; run from this folder).

The picture is TestImages' test pattern, 64x32: left half red, right half blue, and a green
16x16 square in the top-left corner. Pillow stores CMYK inverted with an Adobe APP14 marker
(transform 0), as Photoshop does.
"""
from PIL import Image

RED, BLUE, GREEN = (0, 255, 255, 0), (255, 255, 0, 0), (255, 0, 255, 0)
img = Image.new("CMYK", (64, 32), BLUE)
img.paste(RED, (0, 0, 32, 32))
img.paste(GREEN, (0, 0, 16, 16))
img.save("cmyk.jpg", quality=95)
