package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version loaded from the store and taking traffic: its ONNX Runtime session, its
 * preprocessing and its batcher. Requests {@link #acquire} it and {@link #release} it when
 * answered; {@link #retire} stops new acquisitions, waits for those in flight, then closes the
 * session — the drain of a hot swap.
 */
final class LoadedVersion {
  private final String name;
  private final int version;
  private final VersionManifest manifest;
  private final ModelConfig config;
  private final OnnxClassifier classifier;
  private final Preprocessor preprocessor;
  private final Batcher batcher;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean retired;

  private LoadedVersion(
      VersionManifest manifest, ModelConfig config, OnnxClassifier classifier, Batcher batcher) {
    this.name = manifest.name();
    this.version = manifest.version();
    this.manifest = manifest;
    this.config = config;
    this.classifier = classifier;
    this.preprocessor = new Preprocessor(classifier.spec());
    this.batcher = batcher;
  }

  /**
   * Loads a version after checking its checksum, then warms it up through its own batcher (batches
   * of one image and of the largest size); any failure closes what was opened and is reported.
   */
  static LoadedVersion load(
      ModelStore store, String name, int version, ServeOptions options, ServeMetrics metrics) {
    VersionManifest manifest = store.manifest(name, version);
    ModelConfig config = store.config(name);
    Path file = store.verifiedModel(manifest);
    OnnxClassifier c =
        OnnxClassifier.open(
            file,
            OnnxOptions.cpu(options.intraOpThreads()).withProvider(options.provider()),
            options.spinWait());
    Batcher b = null;
    try {
      if (!c.spec().classes().equals(manifest.classes()))
        throw new ImgclassException(
            name + " version " + version + ": the file's classes differ from its manifest's");
      b = new Batcher(c, config, "infer-" + name + "-" + version, metrics.of(name, version));
      LoadedVersion v = new LoadedVersion(manifest, config, c, b);
      v.warmUp();
      return v;
    } catch (RuntimeException e) {
      if (b != null) b.close();
      c.close();
      throw e;
    }
  }

  private void warmUp() {
    int len = preprocessor.inputLength();
    for (int i = 0; i < config.warmupBatches(); i++) {
      int n = i % 2 == 0 ? batcher.maxBatch() : 1;
      CompletableFuture<float[][]> f =
          batcher.submit(new float[n * len], n, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
      try {
        float[][] out = f.get(60, TimeUnit.SECONDS);
        for (float[] row : out)
          for (float x : row)
            if (!Float.isFinite(x))
              throw new ImgclassException("warm-up of " + this + " gave non-finite logits");
      } catch (ExecutionException e) {
        throw new ImgclassException(
            "warm-up of " + this + " failed: " + e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw new ImgclassException("warm-up of " + this + " took over 60 s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImgclassException("interrupted while warming up " + this);
      }
    }
  }

  String name() {
    return name;
  }

  int version() {
    return version;
  }

  VersionManifest manifest() {
    return manifest;
  }

  ModelConfig config() {
    return config;
  }

  OnnxClassifier classifier() {
    return classifier;
  }

  Preprocessor preprocessor() {
    return preprocessor;
  }

  Batcher batcher() {
    return batcher;
  }

  int queued() {
    return batcher.queued();
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Takes a share for one request; false once retired (look the model up again). */
  boolean acquire() {
    inFlight.incrementAndGet();
    if (retired) {
      release();
      return false;
    }
    return true;
  }

  void release() {
    if (inFlight.decrementAndGet() == 0 && retired) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * Stops new requests, waits up to {@code drainMillis} for those in flight, then closes. Returns
   * how many were still in flight when it gave up waiting (0 after a clean drain).
   */
  int retire(long drainMillis) {
    retired = true;
    long until = System.currentTimeMillis() + drainMillis;
    synchronized (this) {
      while (inFlight.get() > 0) {
        long left = until - System.currentTimeMillis();
        if (left <= 0) break;
        try {
          wait(Math.min(left, 50));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    int left = inFlight.get();
    batcher.close();
    classifier.close();
    return left;
  }

  @Override
  public String toString() {
    return name + " version " + version;
  }
}
