package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
  @TempDir Path dir;

  @Test
  void interleaved_byte_images_give_the_same_planes_as_their_argb_values() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int type :
        new int[] {
          BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY
        }) {
      BufferedImage img = new BufferedImage(13, 7, type);
      for (int y = 0; y < 7; y++) for (int x = 0; x < 13; x++) img.setRGB(x, y, r.nextInt(1 << 24));
      BufferedImage sub = img.getSubimage(2, 1, 9, 5); // a child raster: the general path
      for (BufferedImage b : new BufferedImage[] {img, sub}) {
        ImageU8 rgb = Images.toPlanar(b, 3);
        ImageU8 gray = Images.toPlanar(b, 1);
        for (int y = 0; y < b.getHeight(); y++) {
          for (int x = 0; x < b.getWidth(); x++) {
            int p = type == BufferedImage.TYPE_BYTE_GRAY ? gray(b, x, y) : b.getRGB(x, y);
            int red = (p >> 16) & 255, g = (p >> 8) & 255, bl = p & 255;
            assertThat(new int[] {rgb.get(0, y, x), rgb.get(1, y, x), rgb.get(2, y, x)})
                .as("type %d at %d,%d", type, x, y)
                .containsExactly(red, g, bl);
            int luma =
                red == g && g == bl ? red : (int) Math.round(0.299 * red + 0.587 * g + 0.114 * bl);
            assertThat(gray.get(0, y, x)).isEqualTo(luma);
          }
        }
      }
    }
  }

  /** A gray image's stored sample as 0xRRGGBB (getRGB would apply a gamma curve). */
  private static int gray(BufferedImage b, int x, int y) {
    int v = b.getRaster().getSample(x, y, 0);
    return (v << 16) | (v << 8) | v;
  }

  @Test
  void transparent_pixels_composite_on_white_and_opaque_ones_keep_their_colour() {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 0x00000000); // fully transparent black
    img.setRGB(1, 0, 0xff102030); // opaque
    ImageU8 rgb = Images.toPlanar(img, 3);
    assertThat(rgb.get(0, 0, 0)).isEqualTo(255);
    assertThat(rgb.get(1, 0, 0)).isEqualTo(255);
    assertThat(rgb.get(0, 0, 1)).isEqualTo(0x10);
    assertThat(rgb.get(1, 0, 1)).isEqualTo(0x20);
    assertThat(rgb.get(2, 0, 1)).isEqualTo(0x30);
  }

  @Test
  void gray_png_pixels_keep_their_stored_values() throws Exception {
    BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, 3, 1, new byte[] {10, (byte) 128, (byte) 250});
    Path png = dir.resolve("g.png");
    ImageIO.write(img, "png", png.toFile());
    ImageU8 g = Images.toPlanar(Images.decode(png), 1);
    assertThat(new int[] {g.get(0, 0, 0), g.get(0, 0, 1), g.get(0, 0, 2)})
        .containsExactly(10, 128, 250);
    ImageU8 rgb = Images.toPlanar(Images.decode(png), 3);
    assertThat(rgb.get(2, 0, 1)).isEqualTo(128);
  }

  @Test
  void sixteen_bit_gray_scales_to_eight_bits() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
    img.getRaster().setSample(0, 0, 0, 0xABCD);
    assertThat(Images.toPlanar(img, 1).get(0, 0, 0)).isEqualTo(0xAB);
  }

  @Test
  void sixteen_bit_rgba_keeps_high_bytes_and_composites_on_white() {
    var cs = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB);
    var cm =
        new java.awt.image.ComponentColorModel(
            cs,
            new int[] {16, 16, 16, 16},
            true,
            false,
            java.awt.Transparency.TRANSLUCENT,
            java.awt.image.DataBuffer.TYPE_USHORT);
    BufferedImage img = new BufferedImage(cm, cm.createCompatibleWritableRaster(2, 1), false, null);
    img.getRaster().setPixel(0, 0, new int[] {0xff00, 0x12ff, 0xabcd, 0xffff}); // opaque
    img.getRaster().setPixel(1, 0, new int[] {0, 0, 0xffff, 0x8000}); // blue, alpha 128
    ImageU8 rgb = Images.toPlanar(img, 3);
    assertThat(new int[] {rgb.get(0, 0, 0), rgb.get(1, 0, 0), rgb.get(2, 0, 0)})
        .containsExactly(0xff, 0x12, 0xab);
    assertThat(new int[] {rgb.get(0, 0, 1), rgb.get(1, 0, 1), rgb.get(2, 0, 1)})
        .containsExactly(127, 127, 255);
  }

  @Test
  void resizing_a_constant_image_keeps_the_constant_and_the_requested_size() {
    byte[] d = new byte[3 * 100 * 60];
    java.util.Arrays.fill(d, (byte) 77);
    ImageU8 out = Images.resize(new ImageU8(3, 100, 60, d), 28, 28);
    assertThat(out.height()).isEqualTo(28);
    assertThat(out.width()).isEqualTo(28);
    for (byte b : out.data()) assertThat(b & 0xff).isEqualTo(77);
  }

  @Test
  void preprocessing_normalizes_with_the_specs_mean_and_std() {
    ModelSpec spec =
        new ModelSpec("resnet20", List.of("a", "b"), 1, 8, List.of(0.5), List.of(0.25));
    byte[] d = new byte[64];
    d[0] = (byte) 255;
    float[] out = new float[64];
    new Preprocessor(spec).normalizeInto(new ImageU8(1, 8, 8, d), out, 0);
    assertThat(out[0]).isEqualTo(2.0f); // (1 - 0.5) / 0.25
    assertThat(out[1]).isEqualTo(-2.0f); // (0 - 0.5) / 0.25
  }

  @Test
  void a_png_decodes_and_a_non_image_is_an_error_for_that_file() throws Exception {
    BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY);
    Path png = dir.resolve("a.png");
    ImageIO.write(img, "png", png.toFile());
    assertThat(Images.decode(png).getWidth()).isEqualTo(5);
    Path txt = dir.resolve("b.png");
    Files.writeString(txt, "not an image");
    assertThatThrownBy(() -> Images.decode(txt))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("not an image (unrecognised format)");
  }

  @Test
  void an_image_above_the_pixel_limit_is_refused_before_decoding() throws Exception {
    BufferedImage img = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
    Path png = dir.resolve("big.png");
    ImageIO.write(img, "png", png.toFile());
    assertThatThrownBy(() -> Images.decode(png, 9_999))
        .hasMessageContaining("above the limit of 9999 pixels");
  }
}
