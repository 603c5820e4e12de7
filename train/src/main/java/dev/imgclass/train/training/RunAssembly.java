package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.LrSchedule;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.TorchClassifier;
import dev.imgclass.train.models.Weights;
import dev.imgclass.train.models.WeightsCard;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one assembly of a training run, from its {@link RunData} to a ready {@link Trainer}: spec,
 * model (fresh, fine-tuned or resumed), optimizer, class balance, augmentation, batch loader,
 * schedule, task and evaluator. {@link TrainRun}, {@code LoopBench} and {@code bench-data} all
 * build their pipeline here, so the benchmarks time what a run runs.
 */
public final class RunAssembly {
  private RunAssembly() {}

  /** A checkpoint to continue from, and the folder it was read from (for messages). */
  public record Resume(Checkpoints.Loaded checkpoint, Path dir) {}

  /** Everything a run trains with. */
  public record Parts(
      TrainConfig cfg,
      RunData data,
      ModelSpec spec,
      Net net,
      Precision precision,
      int threads,
      Optimizer optimizer,
      TrainState start,
      int[] classCounts,
      float[] classWeights,
      Augmentation augmentation,
      BatchLoader loader,
      LrSchedule schedule,
      TrainTask task,
      Evaluator evaluator,
      Optional<Teacher> teacher) {

    /** The loop over these parts, running {@code task} (this run's, or one wrapping it). */
    Trainer trainer(TrainTask task, List<TrainListener> listeners) {
      return new Trainer(task, loader, schedule, data.val(), evaluator, optimizer.ema(), listeners);
    }
  }

  /** The listeners every run has; the checkpoint listener and the speed meter keep results. */
  record Listeners(CheckpointListener checkpoints, SpeedMeter speed, List<TrainListener> all) {}

  static Listeners listeners(Parts p, Path runDir, PrintStream out, boolean terminal) {
    CheckpointListener ckpt =
        new CheckpointListener(
            new Checkpoints(runDir),
            p.net(),
            p.optimizer(),
            p.cfg().checkpointSteps(),
            p.data().val().isPresent());
    SpeedMeter speed = new SpeedMeter();
    return new Listeners(
        ckpt,
        speed,
        List.of(new ConsoleProgress(out, terminal), new MetricsLog(runDir), ckpt, speed));
  }

  /** Builds the run; with {@code resume}, checks it continues that run and restores its state. */
  public static Parts assemble(
      TrainConfig cfg, RunData data, Optional<Resume> resume, PrintStream out) {
    int threads = Engine.threads(cfg.threads()); // process-wide: set here, for every run
    Precision precision = Precision.parse(cfg.precision());
    Dataset train = data.train();
    List<List<Double>> moments = normalisation(cfg, train, out);
    ModelSpec spec =
        new ModelSpec(
            cfg.model(),
            train.classes(),
            train.channels(),
            train.height(),
            moments.get(0),
            moments.get(1),
            cfg.widths());
    Net net = ModelRegistry.create(spec, cfg.seed());
    if (!cfg.initWeights().isEmpty() && resume.isEmpty()) {
      Path init = Path.of(cfg.initWeights());
      if (!Files.isRegularFile(init))
        throw new ImgclassException(
            "--init-weights " + init + " is not a file: give a .safetensors file");
      out.println(Weights.initFrom(net, init));
    }
    freeze(cfg, net, out);
    Optimizer optimizer =
        Optimizer.create(cfg, net.params(), name -> net.inBody(name) ? cfg.backboneLr() : 1.0);
    if (cfg.averages()) optimizer.averageWeights(net.params(), cfg.ema());
    Optional<Teacher> teacher = openTeacher(cfg, spec, precision, threads);
    Optional<TeacherIdentity> teacherId = teacher.map(Teacher::identity);
    TrainState start =
        TrainState.start(
            cfg,
            precision.label(),
            data.fingerprint(),
            teacherId.map(TeacherIdentity::sha256).orElse(null));
    if (resume.isPresent()) {
      Checkpoints.Loaded r = resume.get().checkpoint();
      try {
        r.state()
            .checkResumableWith(cfg, precision.label(), data.fingerprint(), teacherId.orElse(null));
      } catch (RuntimeException e) {
        teacher.ifPresent(Teacher::close);
        throw e;
      }
      Weights.load(net, r.weights(), resume.get().dir().toString());
      optimizer.loadState(r.optimizer());
      start = r.state().withConfig(cfg); // operational settings (threads, ...) may have changed
    }
    out.printf(
        "data: %s — %d train, %d val, %s test images, %d classes%n",
        data.splits().description(),
        train.size(),
        data.val().map(Dataset::size).orElse(0),
        data.splits().test().map(d -> Integer.toString(d.size())).orElse("no"),
        train.classes().size());
    out.printf(
        "model: %s, %,d parameters, %,d MACs per image; %s, %d threads, batch %d, %s lr %.3g%n",
        cfg.model() + (spec.pruned() ? " (pruned)" : ""),
        net.paramCount(),
        net.macs(),
        precision.label(),
        threads,
        cfg.batchSize(),
        cfg.optimizer(),
        cfg.lr());

    int[] counts = train.classCounts();
    float[] classWeights = ClassBalance.weights(cfg.classWeights(), counts, spec.classes());
    float[] logitAdjust =
        cfg.logitAdjust() > 0 ? ClassBalance.logPrior(counts, cfg.logitAdjust()) : null;
    if (classWeights != null)
      out.println("class weights (" + cfg.classWeights() + "): " + Arrays.toString(classWeights));
    if (logitAdjust != null) out.printf("logit-adjusted loss, tau %s%n", cfg.logitAdjust());
    if (cfg.sampler().equals("balanced"))
      out.println("sampler: balanced (classes drawn uniformly)");
    Augmentation augmentation = Augmentation.parse(cfg.augment());
    out.println("augment: " + augmentation.describe());
    BatchLoader loader =
        loader(cfg, train, spec, augmentation, data.files() ? data.workers() : 0, data.issues());
    LrSchedule schedule =
        LrSchedule.warmupCosine(
            cfg.lr(), cfg.warmupEpochs(), loader.batchesPerEpoch(), cfg.epochs());
    Loss loss = new Loss(cfg.labelSmoothing(), classWeights, logitAdjust, spec.numClasses());
    TrainTask task =
        new ClassificationTask(
            net, optimizer, objective(cfg, loss, teacher, train, out), precision, cfg.gradClip());
    long headSteps = Math.round(cfg.headEpochs() * loader.batchesPerEpoch());
    if (cfg.headEpochs() > 0) headSteps = Math.max(1, headSteps);
    int thawFrom = cfg.frozenGroups(net.groups().size());
    if (headSteps > 0 && thawFrom < net.groups().size()) {
      task = new HeadWarmup(task, net, optimizer, thawFrom, headSteps);
      out.printf(
          "head warm-up: the first %d steps (%s epochs) train only the head, the body frozen"
              + " with batch norm in eval mode%n",
          headSteps, cfg.headEpochs());
    }
    if (cfg.averages())
      out.printf(
          "weight average: EMA decay %s (validation, test and the saved model use the average)%n",
          cfg.ema());
    if (cfg.backboneLr() != 1)
      out.printf(
          "body learning rate: %s × the head's (%.3g at the peak)%n",
          cfg.backboneLr(), cfg.lr() * cfg.backboneLr());
    Evaluator evaluator = new Evaluator(new TorchClassifier(net, precision), 256);
    return new Parts(
        cfg,
        data,
        spec,
        net,
        precision,
        threads,
        optimizer,
        start,
        counts,
        classWeights,
        augmentation,
        loader,
        schedule,
        task,
        evaluator,
        teacher);
  }

  /** The run's teacher, opened and checked against the student, when it distils. */
  private static Optional<Teacher> openTeacher(
      TrainConfig cfg, ModelSpec spec, Precision precision, int threads) {
    if (!cfg.distils()) return Optional.empty();
    return Optional.of(Teacher.open(Path.of(cfg.teacher()), spec, precision, threads));
  }

  /** Plain cross-entropy, or distillation from the teacher (its logits cached when asked). */
  private static Objective objective(
      TrainConfig cfg, Loss loss, Optional<Teacher> teacher, Dataset train, PrintStream out) {
    if (teacher.isEmpty()) return Objective.supervised(loss);
    Teacher t = teacher.get();
    TeacherIdentity id = t.identity();
    out.printf(
        "distillation: teacher %s (%s, %s, SHA-256 %s), alpha %s, temperature %s%n",
        id.path(),
        id.kind(),
        t.spec().architecture(),
        id.sha256(),
        cfg.kdAlpha(),
        cfg.kdTemperature());
    if (!t.input().identity()) out.println("teacher input: " + t.input().describe());
    if (cfg.kdCache()) {
      long t0 = System.nanoTime();
      t.cache(train);
      out.printf(
          "teacher logits cached for %d un-augmented training images (%.1f s)%n",
          train.size(), (System.nanoTime() - t0) / 1e9);
    }
    return new Distillation(t, loss, cfg.kdAlpha(), cfg.kdTemperature());
  }

  /**
   * The training batches of a run: shuffled, the last partial batch dropped, the run's sampler,
   * per-image augmentation and batch mixing (Mixup, CutMix) with the run's label smoothing.
   *
   * @param workers threads building batches ahead (0: on the caller's thread)
   */
  public static BatchLoader loader(
      TrainConfig cfg,
      Dataset train,
      ModelSpec spec,
      Augmentation augmentation,
      int workers,
      DataIssues issues) {
    BatchLoader.Mixer mixer =
        augmentation
            .batchMix()
            .<BatchLoader.Mixer>map(
                m ->
                    (x, y, n, rng) ->
                        m.apply(
                            x,
                            y,
                            n,
                            spec.inChannels(),
                            spec.inputSize(),
                            spec.inputSize(),
                            spec.numClasses(),
                            cfg.labelSmoothing(),
                            rng))
            .orElse(null);
    return new BatchLoader(
        train,
        new Preprocessor(spec),
        augmentation,
        mixer,
        cfg.batchSize(),
        cfg.seed(),
        true,
        cfg.sampler().equals("balanced"),
        workers,
        issues);
  }

  private static void freeze(TrainConfig cfg, Net net, PrintStream out) {
    int frozen = cfg.frozenGroups(net.groups().size());
    net.freeze(frozen);
    if (frozen > 0)
      out.printf(
          "freeze: %s..%s (%d of %d body groups); %,d parameters train%n",
          net.groups().get(0),
          net.groups().get(frozen - 1),
          frozen,
          net.groups().size(),
          net.params().entries().stream()
              .filter(e -> e.trainable() && e.tensor().requires_grad())
              .mapToLong(e -> e.tensor().numel())
              .sum());
  }

  /**
   * Mean and std the run normalises with: the pretrained checkpoint's under the finetune recipe
   * when its model card has them ({@link WeightsCard}), else the training data's own.
   */
  static List<List<Double>> normalisation(TrainConfig cfg, Dataset train, PrintStream out) {
    Optional<WeightsCard> card = WeightsCard.forRun(cfg);
    if (card.isPresent()) {
      WeightsCard c = card.get();
      List<Double> mean = c.meanFor(train.channels());
      List<Double> std = c.stdFor(train.channels());
      out.printf("finetune: mean %s, std %s from %s%n", mean, std, c.source());
      return List.of(mean, std);
    }
    if (cfg.finetune())
      out.println(
          "finetune: "
              + cfg.initWeights()
              + " has no model card (no imgclass metadata, model.json or config.json): mean/std"
              + " from the training data");
    return channelMoments(train);
  }

  /**
   * Per-channel mean and standard deviation of the pixels scaled to [0, 1], from up to 10,000
   * images held in memory or 1,000 read from files (a sample is plenty for two moments).
   */
  static List<List<Double>> channelMoments(Dataset d) {
    int c = d.channels();
    int plane = d.height() * d.width();
    double[] sum = new double[c];
    double[] sq = new double[c];
    int n = Math.min(d.size(), d instanceof FileDataset ? 1_000 : 10_000);
    int step = d instanceof FileDataset ? Math.max(1, d.size() / Math.max(1, n)) : 1;
    int used = 0;
    for (int i = 0; i < d.size() && used < n; i += step) {
      byte[] px;
      try {
        px = d.image(i).data();
      } catch (ImgclassException e) {
        continue; // a file that broke since it was checked: the batches will record it
      }
      used++;
      for (int ch = 0; ch < c; ch++) {
        for (int j = 0; j < plane; j++) {
          double v = (px[ch * plane + j] & 0xff) / 255.0;
          sum[ch] += v;
          sq[ch] += v * v;
        }
      }
    }
    List<Double> means = new ArrayList<>();
    List<Double> stds = new ArrayList<>();
    double count = Math.max(1.0, (double) used * plane);
    for (int ch = 0; ch < c; ch++) {
      double m = sum[ch] / count;
      means.add(round4(m));
      stds.add(round4(Math.sqrt(Math.max(sq[ch] / count - m * m, 1e-6))));
    }
    return List.of(means, stds);
  }

  private static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
