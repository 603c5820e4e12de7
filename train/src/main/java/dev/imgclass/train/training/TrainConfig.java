package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hyperparameters of one training run; stored in model.json and in checkpoints so that a run can be
 * repeated and a resume can check it continues the same run. Defaults live in {@link Builder}.
 *
 * @param model registry name of the architecture
 * @param epochs full passes over the training set
 * @param batchSize images per optimizer step
 * @param lr peak learning rate, reached at the end of warm-up
 * @param warmupEpochs linear ramp from 0 to {@code lr}, then cosine decay to 0
 * @param optimizer {@code sgd} (momentum, Nesterov) or {@code adamw}
 * @param momentum SGD momentum (AdamW's beta1)
 * @param nesterov Nesterov momentum for SGD
 * @param weightDecay decoupled for AdamW, L2 for SGD; never applied to norms and biases
 * @param labelSmoothing cross-entropy label smoothing, 0 to disable
 * @param gradClip maximum global gradient norm, 0 to disable
 * @param classWeights per-class loss weights: {@code none}, {@code inverse}, {@code sqrt-inverse},
 *     {@code effective:BETA} (from training counts), a JSON file, or comma-separated numbers
 * @param sampler {@code random} (each image once per epoch) or {@code balanced} (classes drawn
 *     uniformly, images with replacement)
 * @param logitAdjust τ of the logit-adjusted loss (Menon et al. 2021): τ·log(class prior) is added
 *     to the logits during training only; 0 disables it
 * @param imageSize side image files are resized to (0: the model's default); IDX data keeps its own
 * @param channels 1 or 3 for image files (0: 3); IDX data keeps its own
 * @param maxBad largest share of unreadable training files tolerated (skipped) before the run
 *     aborts
 * @param augment augmentation recipe spec
 * @param valFraction share of training images held out to choose the best checkpoint
 * @param limit train on at most this many images (0: all), for quick runs
 * @param seed drives initialisation, shuffling, augmentation and the validation split
 * @param precision fp32 or bf16
 * @param threads intra-op threads
 * @param checkpointSteps also save the last checkpoint every this many steps (0: at epoch ends)
 * @param initWeights safetensors file to start from (torchvision names), empty for none
 * @param freeze {@code none}, {@code backbone} (all but the head) or the number of leading body
 *     groups whose parameters are not trained
 * @param recipe {@code none} or {@code finetune}: the transfer preset (needs {@code initWeights}):
 *     head-only warm-up, a lower backbone learning rate, and the input size and normalisation of
 *     the checkpoint's model card; it only sets defaults, every part can be given on its own
 * @param headEpochs epochs (fractions allowed) at the start in which only the head trains, the body
 *     frozen with its batch norm in eval mode; 0 for none
 * @param backboneLr the body's learning rate as a multiple of the head's ({@code lr}); 1 trains
 *     every layer at the same rate
 * @param teacher run directory or {@code .onnx} file to distil from ({@link Distillation}), empty
 *     for none
 * @param kdAlpha weight of the distillation term, the cross-entropy getting {@code 1 − kdAlpha}; 0
 *     without a teacher
 * @param kdTemperature softmax temperature of the distillation term; 0 without a teacher
 * @param kdCache compute the teacher's logits once for the un-augmented training images instead of
 *     on every batch (needs un-augmented batches)
 * @param widths layer widths of a pruned model ({@link dev.imgclass.core.ModelSpec#widths}) to
 *     build instead of the architecture's, so that its weights load; empty for the architecture's
 *     own (then left out of the JSON, so earlier runs resume unchanged)
 */
public record TrainConfig(
    String model,
    int epochs,
    int batchSize,
    double lr,
    double warmupEpochs,
    String optimizer,
    double momentum,
    boolean nesterov,
    double weightDecay,
    double labelSmoothing,
    double gradClip,
    String classWeights,
    String sampler,
    double logitAdjust,
    int imageSize,
    int channels,
    double maxBad,
    String augment,
    double valFraction,
    int limit,
    long seed,
    String precision,
    int threads,
    int checkpointSteps,
    String initWeights,
    String freeze,
    String recipe,
    double headEpochs,
    double backboneLr,
    String teacher,
    double kdAlpha,
    double kdTemperature,
    boolean kdCache,
    double ema,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        Map<String, Integer> widths) {

  public TrainConfig {
    require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
    require(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
    require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
    require(warmupEpochs >= 0, "--warmup-epochs must be >= 0, got " + warmupEpochs);
    optimizer = optimizer.toLowerCase(Locale.ROOT);
    require(
        optimizer.equals("sgd") || optimizer.equals("adamw"),
        "--optimizer must be sgd or adamw, got " + optimizer);
    require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
    require(weightDecay >= 0, "--weight-decay must be >= 0, got " + weightDecay);
    require(
        labelSmoothing >= 0 && labelSmoothing < 1,
        "--label-smoothing must be in [0, 1), got " + labelSmoothing);
    require(gradClip >= 0, "--grad-clip must be >= 0, got " + gradClip);
    classWeights = classWeights == null || classWeights.isBlank() ? "none" : classWeights.trim();
    sampler = sampler == null ? "random" : sampler.toLowerCase(Locale.ROOT);
    require(
        sampler.equals("random") || sampler.equals("balanced"),
        "--sampler must be random or balanced, got " + sampler);
    require(
        logitAdjust >= 0 && logitAdjust <= 10,
        "--logit-adjust must be in [0, 10] (1 is the paper's choice), got " + logitAdjust);
    require(
        imageSize == 0 || (imageSize >= 8 && imageSize <= 1024),
        "--image-size must be in [8, 1024], got " + imageSize);
    require(
        channels == 0 || channels == 1 || channels == 3,
        "--channels must be 1 or 3, got " + channels);
    require(maxBad >= 0 && maxBad <= 1, "--max-bad must be in [0, 1], got " + maxBad);
    augment = augment == null ? "light" : augment.trim();
    dev.imgclass.data.augment.Augmentation.parse(augment); // a bad spec fails before any work
    require(
        valFraction >= 0 && valFraction < 0.9,
        "--val-fraction must be in [0, 0.9), got " + valFraction);
    require(limit >= 0, "--limit must be >= 0, got " + limit);
    require(threads >= 0, "--threads must be >= 0, got " + threads);
    require(checkpointSteps >= 0, "--checkpoint-steps must be >= 0, got " + checkpointSteps);
    initWeights = initWeights == null ? "" : initWeights;
    freeze = freeze == null ? "none" : freeze.toLowerCase(Locale.ROOT);
    require(
        freeze.equals("none") || freeze.equals("backbone") || freeze.matches("\\d{1,3}"),
        "--freeze must be none, backbone or a number of body groups, got " + freeze);
    recipe = recipe == null || recipe.isBlank() ? "none" : recipe.trim().toLowerCase(Locale.ROOT);
    require(
        recipe.equals("none") || recipe.equals(FINETUNE),
        "--recipe must be none or finetune, got " + recipe);
    require(
        !recipe.equals(FINETUNE) || !initWeights.isEmpty(),
        "--recipe finetune starts from pretrained weights: give --init-weights FILE.safetensors");
    require(
        headEpochs >= 0 && headEpochs < epochs,
        "--head-epochs must be in [0, epochs) (" + epochs + "), got " + headEpochs);
    if (backboneLr == 0) backboneLr = 1; // checkpoints from before the setting hold none
    require(
        backboneLr > 0 && backboneLr <= 10,
        "--backbone-lr must be in (0, 10] (a multiple of --lr), got " + backboneLr);
    widths =
        widths == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(widths));
    teacher = teacher == null ? "" : teacher.trim();
    if (teacher.isEmpty()) {
      require(kdAlpha == 0 && kdTemperature == 0 && !kdCache, KD_NEEDS_TEACHER);
    } else {
      require(kdAlpha >= 0 && kdAlpha <= 1, "--kd-alpha must be in [0, 1], got " + kdAlpha);
      require(
          kdTemperature > 0 && Double.isFinite(kdTemperature),
          "--kd-temperature must be a positive number, got " + kdTemperature);
      var aug = dev.imgclass.data.augment.Augmentation.parse(augment);
      require(
          !kdCache || (aug.transforms().isEmpty() && aug.batchMix().isEmpty()),
          "--kd-cache keeps the teacher's logits of un-augmented images, but --augment is '"
              + augment
              + "': the teacher must see each augmented batch; use --augment none with --kd-cache,"
              + " or drop --kd-cache");
    }
    require(
        ema == 0 || (ema >= 0.5 && ema < 1),
        "--ema must be 0 (off) or a decay in [0.5, 1), such as 0.999; got " + ema);
  }

  /**
   * Whether the run keeps an exponential moving average of its weights ({@link Ema}), used for
   * validation, the test evaluation and the saved model.
   */
  public boolean averages() {
    return ema > 0;
  }

  private static final String KD_NEEDS_TEACHER =
      "--kd-alpha, --kd-temperature and --kd-cache set up distillation: give --teacher MODEL too";

  /**
   * Default weight of the distillation term: 0.9, with the cross-entropy at 0.1, as in the recipe
   * behind the vanilla-KD CIFAR-100 results we compare with (mdistiller's KD: CE weight 0.1, KD
   * weight 0.9, T = 4; also CRD's). A teacher is chosen because it is better than the labels alone.
   */
  public static final double KD_ALPHA = 0.9;

  /** Default distillation temperature (Hinton et al.; mdistiller and CRD on CIFAR-100). */
  public static final double KD_TEMPERATURE = 4;

  /** Whether this run distils from a teacher. */
  public boolean distils() {
    return !teacher.isEmpty();
  }

  /** The transfer-learning preset's name. */
  public static final String FINETUNE = "finetune";

  /** Whether this run follows the {@code finetune} recipe. */
  public boolean finetune() {
    return recipe.equals(FINETUNE);
  }

  /**
   * Settings that change neither the numbers a run computes nor its data: a resumed run may change
   * them (and uses the new values). The teacher's path may change; its identity may not ({@link
   * TrainState#checkResumableWith}).
   */
  static final Set<String> OPERATIONAL =
      Set.of("threads", "checkpointSteps", "maxBad", "teacher"); // a teacher by its SHA-256

  /**
   * Every setting that changes what a run computes, by component name, with {@code precision} as it
   * resolved on the machine ({@code auto} is fp32 on one CPU and bf16 on another).
   */
  Map<String, Object> resultSettings(String resolvedPrecision) {
    @SuppressWarnings("unchecked")
    Map<String, Object> all = Json.MAPPER.convertValue(this, LinkedHashMap.class);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : all.entrySet()) {
      if (!OPERATIONAL.contains(e.getKey())) out.put(e.getKey(), e.getValue());
    }
    out.put("precision", resolvedPrecision);
    return out;
  }

  /** Body groups to freeze for a model with {@code groups} of them. */
  public int frozenGroups(int groups) {
    return switch (freeze) {
      case "none" -> 0;
      case "backbone" -> groups;
      default -> Math.min(groups, Integer.parseInt(freeze));
    };
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ImgclassException(message);
  }

  /**
   * The finetune recipe's head-only warm-up, as a share of the epochs: long enough for a fresh head
   * to stop sending large random gradients into the pretrained body (on the transfer benchmark 12
   * steps at 300 images, 94 at 30,000), short against the run.
   */
  public static final double FINETUNE_HEAD_SHARE = 0.1;

  /** The finetune recipe's body learning rate as a multiple of the head's. */
  public static final double FINETUNE_BACKBONE_LR = 0.1;

  /** Runs shorter than this get no augmentation by default. */
  public static final int AUGMENT_FROM_EPOCHS = 3;

  /** Runs of more than this many epochs get {@code light} by default, shorter ones {@code flip}. */
  public static final int FLIP_UP_TO_EPOCHS = 10;

  /**
   * The default recipe by run length: {@code none} below {@link #AUGMENT_FROM_EPOCHS} epochs,
   * {@code flip} (horizontal flips only) up to {@link #FLIP_UP_TO_EPOCHS}, {@code light} (2-pixel
   * translation and flips) beyond. Augmentation is a regulariser; a run too short to overfit only
   * learns more slowly with it (bench/RESULTS-short-runs.md: on 12,000 Fashion-MNIST images, 1
   * epoch 80.6 % without, 75.4 % with; bench/RESULTS-recipe.md: on all of it, 5 epochs 92.93 % with
   * flips against 92.38 % with {@code light}, 10 epochs 93.65 % against 93.60 %). Longer runs keep
   * the translation, unmeasured here against flips alone.
   */
  public static String defaultAugment(int epochs) {
    if (epochs < AUGMENT_FROM_EPOCHS) return "none";
    return epochs <= FLIP_UP_TO_EPOCHS ? "flip" : "light";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults in one place; the CLI sets only what the user gave. */
  public static final class Builder {
    public String model = "resnet20";
    public int epochs = 10;
    public int batchSize = 128;
    public Double lr; // default depends on the optimizer
    public Double warmupEpochs; // default: 1, or the head warm-up of the finetune recipe
    public String optimizer = "sgd";
    public double momentum = 0.9;
    public boolean nesterov = true;
    public Double weightDecay; // default depends on the optimizer
    public double labelSmoothing = 0.1;
    public double gradClip = 0;
    public String classWeights = "none";
    public String sampler = "random";
    public double logitAdjust = 0;
    public int imageSize = 0;
    public int channels = 0;
    public double maxBad = 0.01;
    public String augment; // default: shortRunAugment(epochs)
    public double valFraction = 0.05;
    public int limit = 0;
    public long seed = 42;
    public String precision = "auto";
    public int threads = 0;
    public int checkpointSteps = 0;
    public String initWeights = "";
    public String freeze = "none";
    public String recipe = "none";
    public Double headEpochs; // default: 0, or a tenth of the epochs for the finetune recipe
    public Double backboneLr; // default: 1, or 0.1 for the finetune recipe
    public String teacher = "";
    public Double kdAlpha; // default: KD_ALPHA with a teacher
    public Double kdTemperature; // default: KD_TEMPERATURE with a teacher
    public boolean kdCache;
    public double ema = 0;
    public Map<String, Integer> widths = Map.of();

    public TrainConfig build() {
      boolean adamw = optimizer.equalsIgnoreCase("adamw");
      boolean ft = recipe != null && recipe.trim().equalsIgnoreCase(FINETUNE);
      double head = headEpochs != null ? headEpochs : ft ? FINETUNE_HEAD_SHARE * epochs : 0;
      boolean kd = teacher != null && !teacher.isBlank();
      require(kd || (kdAlpha == null && kdTemperature == null && !kdCache), KD_NEEDS_TEACHER);
      return new TrainConfig(
          model,
          epochs,
          batchSize,
          lr != null ? lr : adamw ? 2e-3 : 0.1,
          warmupEpochs != null ? warmupEpochs : ft ? head : 1,
          optimizer,
          momentum,
          nesterov,
          weightDecay != null ? weightDecay : adamw ? 0.05 : 5e-4,
          labelSmoothing,
          gradClip,
          classWeights,
          sampler,
          logitAdjust,
          imageSize,
          channels,
          maxBad,
          augment != null ? augment : defaultAugment(epochs),
          valFraction,
          limit,
          seed,
          precision,
          threads,
          checkpointSteps,
          initWeights,
          freeze,
          recipe,
          head,
          backboneLr != null ? backboneLr : ft ? FINETUNE_BACKBONE_LR : 1,
          teacher,
          kd ? (kdAlpha != null ? kdAlpha : KD_ALPHA) : 0,
          kd ? (kdTemperature != null ? kdTemperature : KD_TEMPERATURE) : 0,
          kdCache,
          ema,
          widths);
    }
  }
}
