package dev.imgclass.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.InMemoryDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {
  static final int S = 48;
  static final int C = 3;

  /** A smooth random colour image: a few blobs of random colour on a random background. */
  static byte[] blobs(Random r) {
    double[][] centres = new double[6][];
    for (int b = 0; b < centres.length; b++)
      centres[b] =
          new double[] {
            r.nextDouble() * S,
            r.nextDouble() * S,
            4 + r.nextDouble() * 10,
            r.nextInt(256),
            r.nextInt(256),
            r.nextInt(256)
          };
    int bg = r.nextInt(256);
    byte[] px = new byte[C * S * S];
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++)
        for (int c = 0; c < C; c++) {
          double v = bg;
          for (double[] b : centres) {
            double d2 = (x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1]);
            double w = Math.exp(-d2 / (2 * b[2] * b[2]));
            v = v * (1 - w) + b[3 + c] * w;
          }
          px[(c * S + y) * S + x] = (byte) Math.round(v);
        }
    return px;
  }

  static byte clamp(double v) {
    return (byte) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** The copy kinds a near-duplicate search must see through. */
  static byte[] perturb(byte[] px, int kind, Random r) {
    byte[] out = new byte[px.length];
    switch (kind) {
      case 0 -> System.arraycopy(px, 0, out, 0, px.length); // exact copy
      case 1 -> { // brighter
        for (int i = 0; i < px.length; i++) out[i] = clamp((px[i] & 0xff) * 0.9 + 30);
      }
      case 2 -> { // lower contrast
        for (int i = 0; i < px.length; i++) out[i] = clamp(128 + ((px[i] & 0xff) - 128) * 0.7);
      }
      case 3 -> { // sensor noise
        for (int i = 0; i < px.length; i++) out[i] = clamp((px[i] & 0xff) + r.nextGaussian() * 4);
      }
      case 4 -> out = jpeg(px, 0.75f);
      default -> { // halved and doubled again (a thumbnail blown up)
        for (int c = 0; c < C; c++)
          for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
              int y0 = y / 2 * 2;
              int x0 = x / 2 * 2;
              int sum = 0;
              for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) sum += px[(c * S + y0 + dy) * S + x0 + dx] & 0xff;
              out[(c * S + y) * S + x] = (byte) (sum / 4);
            }
      }
    }
    return out;
  }

  static byte[] jpeg(byte[] px, float quality) {
    try {
      BufferedImage img = new BufferedImage(S, S, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
          int p = 0;
          for (int c = 0; c < C; c++) p = p << 8 | (px[(c * S + y) * S + x] & 0xff);
          img.setRGB(x, y, p);
        }
      var w = ImageIO.getImageWritersByFormatName("jpeg").next();
      var param = w.getDefaultWriteParam();
      param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (var out = ImageIO.createImageOutputStream(bytes)) {
        w.setOutput(out);
        w.write(null, new javax.imageio.IIOImage(img, null, null), param);
      }
      BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
      byte[] res = new byte[px.length];
      for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
          int p = back.getRGB(x, y);
          for (int c = 0; c < C; c++) res[(c * S + y) * S + x] = (byte) (p >> (16 - 8 * c));
        }
      return res;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void findsEveryPlantedCopyWithAnotherLabelAndNothingElse() {
    Random r = new Random(7);
    int originals = 300;
    List<byte[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < originals; i++) {
      images.add(blobs(r));
      labels.add(i % 3);
    }
    Set<List<Integer>> planted = new HashSet<>();
    // 6 kinds x 3 copies filed under another class, and 6 copies under the same class (not issues)
    for (int kind = 0; kind < 6; kind++)
      for (int k = 0; k < 4; k++) {
        int src = kind * 40 + k * 7;
        images.add(perturb(images.get(src), kind, r));
        boolean sameClass = k == 3;
        labels.add(sameClass ? labels.get(src) : (labels.get(src) + 1) % 3);
        if (!sameClass) planted.add(List.of(src, images.size() - 1));
      }
    InMemoryDataset data = dataset(images, labels);

    NearDuplicates.Result res =
        NearDuplicates.find(
            data, NearDuplicates.DEFAULT_MAX_DISTANCE, NearDuplicates.DEFAULT_MIN_CORRELATION);
    Set<List<Integer>> found = new HashSet<>();
    for (NearDuplicates.Pair p : res.pairs()) {
      found.add(List.of(p.a(), p.b()));
      assertTrue(p.a() < p.b());
      assertTrue(p.distance() <= NearDuplicates.DEFAULT_MAX_DISTANCE);
      assertTrue(p.correlation() >= NearDuplicates.DEFAULT_MIN_CORRELATION);
    }
    assertEquals(planted, found, "exactly the planted copies with another label");
    assertEquals(images.size(), res.images());
    // most alike first
    for (int i = 1; i < res.pairs().size(); i++)
      assertTrue(res.pairs().get(i - 1).correlation() >= res.pairs().get(i).correlation());
  }

  @Test
  void hashIsStableUnderBrightnessAndFarForOtherImages() {
    Random r = new Random(3);
    byte[] a = blobs(r);
    long h = NearDuplicates.hash(image(a));
    assertEquals(0, NearDuplicates.distance(h, NearDuplicates.hash(image(perturb(a, 0, r)))));
    assertTrue(NearDuplicates.distance(h, NearDuplicates.hash(image(perturb(a, 1, r)))) <= 2);
    int far = 0;
    for (int i = 0; i < 50; i++)
      if (NearDuplicates.distance(h, NearDuplicates.hash(image(blobs(r)))) > 8) far++;
    assertTrue(far >= 48, "other images are more than 8 bits away: " + far + " of 50");
  }

  @Test
  void multiIndexCandidatesEqualTheBruteForceSet() {
    Random r = new Random(11);
    int n = 3000;
    long[] hash = new long[n];
    int[] labels = new int[n];
    boolean[] read = new boolean[n];
    for (int i = 0; i < n; i++) {
      read[i] = i % 97 != 0;
      labels[i] = r.nextInt(4);
      hash[i] =
          i > 0 && r.nextInt(3) == 0
              ? flip(hash[r.nextInt(i)], r.nextInt(7), r) // a close relative of an earlier one
              : r.nextLong();
    }
    for (int d : new int[] {0, 3, 6}) {
      Set<List<Integer>> brute = new HashSet<>();
      for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
          if (read[i] && read[j] && labels[i] != labels[j] && Long.bitCount(hash[i] ^ hash[j]) <= d)
            brute.add(List.of(i, j));
      List<int[]> got = NearDuplicates.candidates(hash, read, labels, d);
      Set<List<Integer>> set = new HashSet<>();
      for (int[] c : got) set.add(List.of(c[0], c[1]));
      assertEquals(got.size(), set.size(), "no pair twice at d=" + d);
      assertEquals(brute, set, "d=" + d);
      assertTrue(brute.size() > 50, "the test plants close pairs: " + brute.size());
    }
  }

  static long flip(long h, int bits, Random r) {
    for (int i = 0; i < bits; i++) h ^= 1L << r.nextInt(64);
    return h;
  }

  @Test
  void flatImagesAndUnreadableOnesDoNotBreakIt() {
    byte[] black = new byte[C * S * S];
    byte[] white = new byte[C * S * S];
    java.util.Arrays.fill(white, (byte) 255);
    InMemoryDataset data =
        dataset(List.of(black, black.clone(), white), List.of(0, 1, 1)); // two blacks differ
    NearDuplicates.Result res = NearDuplicates.find(data, 4, 0.99);
    assertEquals(1, res.pairs().size());
    assertEquals(0, res.pairs().get(0).a());
    assertEquals(1, res.pairs().get(0).b());
  }

  @Test
  void refusesSettingsOutsideTheirRange() {
    InMemoryDataset data = dataset(List.of(new byte[C * S * S]), List.of(0));
    var e1 = assertThrows(ImgclassException.class, () -> NearDuplicates.find(data, 17, 0.99));
    assertTrue(e1.getMessage().contains("[0, 16]"), e1.getMessage());
    var e2 = assertThrows(ImgclassException.class, () -> NearDuplicates.find(data, 4, 1.5));
    assertTrue(e2.getMessage().contains("[-1, 1]"), e2.getMessage());
    assertThrows(ImgclassException.class, () -> NearDuplicates.find(data, -1, 0.99));
    assertThrows(ImgclassException.class, () -> NearDuplicates.find(data, 4, Double.NaN));
  }

  static ImageU8 image(byte[] px) {
    return new ImageU8(C, S, S, px);
  }

  static InMemoryDataset dataset(List<byte[]> images, List<Integer> labels) {
    byte[] all = new byte[images.size() * C * S * S];
    for (int i = 0; i < images.size(); i++)
      System.arraycopy(images.get(i), 0, all, i * C * S * S, C * S * S);
    return new InMemoryDataset(
        List.of("a", "b", "c"),
        C,
        S,
        S,
        all,
        labels.stream().mapToInt(Integer::intValue).toArray());
  }
}
