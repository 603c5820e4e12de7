package dev.imgclass.cli;

import dev.imgclass.train.training.TrainConfig;
import picocli.CommandLine.Option;

/** The training flags, shared by {@code train} and {@code demo}; unset flags keep the defaults. */
final class TrainOptions {
  @Option(
      names = "--model",
      description = "Architecture from 'imgclass models' (default: resnet20).")
  String model;

  @Option(names = "--epochs", description = "Passes over the training data (default: 10).")
  Integer epochs;

  @Option(names = "--batch-size", description = "Images per step (default: 128).")
  Integer batchSize;

  @Option(
      names = "--lr",
      description = "Peak learning rate (default: 0.1 for sgd, 0.002 for adamw).")
  Double lr;

  @Option(
      names = "--seed",
      description = "Seed for init, shuffling, augmentation, split (default: 42).")
  Long seed;

  @Option(names = "--limit", description = "Train on at most N images (default: all).")
  Integer limit;

  @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
  Integer threads;

  @Option(
      names = "--precision",
      description = "fp32, bf16 or auto (default: auto = bf16 where the CPU has AMX/AVX512-BF16).")
  String precision;

  @Option(names = "--optimizer", description = "sgd (Nesterov momentum) or adamw (default: sgd).")
  String optimizer;

  @Option(names = "--momentum", description = "SGD momentum / AdamW beta1 (default: 0.9).")
  Double momentum;

  @Option(names = "--no-nesterov", description = "Plain momentum instead of Nesterov's.")
  boolean noNesterov;

  @Option(
      names = "--weight-decay",
      description = "Weight decay, never on norms and biases (default: 5e-4 sgd, 0.05 adamw).")
  Double weightDecay;

  @Option(
      names = "--warmup-epochs",
      description =
          "Linear warm-up before cosine decay (default: 1; the head warm-up with --recipe"
              + " finetune).")
  Double warmupEpochs;

  @Option(
      names = "--label-smoothing",
      description = "Cross-entropy label smoothing (default: 0.1).")
  Double labelSmoothing;

  @Option(
      names = "--ema",
      paramLabel = "DECAY",
      description =
          "Keep an exponential moving average of the weights with this decay (e.g. 0.999) and"
              + " validate, test and save the average (default: off).")
  Double ema;

  @Option(
      names = "--grad-clip",
      description = "Clip the global gradient norm to this (default: off).")
  Double gradClip;

  @Option(
      names = "--class-weights",
      paramLabel = "MODE",
      description =
          "none, inverse, sqrt-inverse, effective:BETA (Cui et al. 2019, e.g. effective:0.999),"
              + " a JSON file (list, or object by class name) or comma-separated numbers in class"
              + " order (default: none).")
  String classWeights;

  @Option(
      names = "--sampler",
      description = "random (each image once per epoch) or balanced (classes equally often).")
  String sampler;

  @Option(
      names = "--logit-adjust",
      paramLabel = "TAU",
      description =
          "Logit-adjusted loss (Menon et al. 2021) with this tau; 1 is usual (default: 0, off).")
  Double logitAdjust;

  @Option(
      names = "--image-size",
      description = "Image files are resized to this square (default: the model's, 32 or 224).")
  Integer imageSize;

  @Option(names = "--channels", description = "1 (gray) or 3 (RGB) for image files (default: 3).")
  Integer channels;

  @Option(
      names = "--max-bad",
      paramLabel = "FRACTION",
      description =
          "Abort when more than this share of training files is unreadable (default: 0.01).")
  Double maxBad;

  @Option(
      names = "--augment",
      paramLabel = "SPEC",
      description =
          "Recipe none, flip, light, standard or strong, optionally with overrides, e.g."
              + " strong,mixup=0.2 (docs/AUGMENTATION.md; default: none for runs of 1-2 epochs,"
              + " flip for 3-10, light beyond).")
  String augment;

  @Option(
      names = "--val-fraction",
      description = "Training share held out for validation (default: 0.05).")
  Double valFraction;

  @Option(
      names = "--checkpoint-steps",
      description = "Also checkpoint every N steps (default: each epoch end).")
  Integer checkpointSteps;

  @Option(
      names = "--init-weights",
      paramLabel = "FILE",
      description =
          "Start from these weights (safetensors, torchvision names); a head for another class"
              + " count is reset.")
  String initWeights;

  @Option(
      names = "--freeze",
      description =
          "none, backbone (train the head only) or N: freeze the first N body groups (ResNet:"
              + " stem, layer1..4; MobileNetV3: features.0, features.1, ...) (default: none).")
  String freeze;

  @Option(
      names = "--recipe",
      description =
          "finetune: the transfer preset for --init-weights: head-only warm-up (--head-epochs),"
              + " body at a tenth of the head's rate (--backbone-lr), input size and mean/std from"
              + " the checkpoint's model card (default: none).")
  String recipe;

  @Option(
      names = "--head-epochs",
      description =
          "Train only the head for these first epochs, the body frozen with its batch norm in"
              + " eval mode (default: 0; a tenth of --epochs with --recipe finetune).")
  Double headEpochs;

  @Option(
      names = "--backbone-lr",
      paramLabel = "SCALE",
      description =
          "The body's learning rate as a multiple of --lr (default: 1; 0.1 with --recipe"
              + " finetune).")
  Double backboneLr;

  /** The defaults, overridden by every flag the user gave. */
  TrainConfig.Builder apply(TrainConfig.Builder b) {
    if (model != null) b.model = model;
    if (epochs != null) b.epochs = epochs;
    if (batchSize != null) b.batchSize = batchSize;
    if (lr != null) b.lr = lr;
    if (seed != null) b.seed = seed;
    if (limit != null) b.limit = limit;
    if (threads != null) b.threads = threads;
    if (precision != null) b.precision = precision;
    if (optimizer != null) b.optimizer = optimizer;
    if (momentum != null) b.momentum = momentum;
    if (noNesterov) b.nesterov = false;
    if (weightDecay != null) b.weightDecay = weightDecay;
    if (warmupEpochs != null) b.warmupEpochs = warmupEpochs;
    if (labelSmoothing != null) b.labelSmoothing = labelSmoothing;
    if (ema != null) b.ema = ema;
    if (gradClip != null) b.gradClip = gradClip;
    if (classWeights != null) b.classWeights = classWeights;
    if (sampler != null) b.sampler = sampler;
    if (logitAdjust != null) b.logitAdjust = logitAdjust;
    if (imageSize != null) b.imageSize = imageSize;
    if (channels != null) b.channels = channels;
    if (maxBad != null) b.maxBad = maxBad;
    if (augment != null) b.augment = augment;
    if (valFraction != null) b.valFraction = valFraction;
    if (checkpointSteps != null) b.checkpointSteps = checkpointSteps;
    if (initWeights != null) b.initWeights = initWeights;
    if (freeze != null) b.freeze = freeze;
    if (recipe != null) b.recipe = recipe;
    if (headEpochs != null) b.headEpochs = headEpochs;
    if (backboneLr != null) b.backboneLr = backboneLr;
    return b;
  }
}
