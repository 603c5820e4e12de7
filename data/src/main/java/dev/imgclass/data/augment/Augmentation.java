package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A training-time recipe: per-image transforms applied in order, and optionally a batch-level
 * {@link BatchMix}. Chosen by a spec string, a recipe name optionally followed by overrides (see
 * {@link Recipe}): {@code none} trains on the images as they are; {@code light} adds random 2-pixel
 * translations and horizontal flips; {@code standard} uses 4-pixel translations; {@code strong}
 * uses a random resized crop (35 to 100% of the area), horizontal flips, TrivialAugmentWide and
 * random erasing (p = 0.25).
 *
 * <p>The per-image order is fixed: resized crop, padded crop, horizontal flip, vertical flip,
 * TrivialAugmentWide, colour jitter, erasing (last, so nothing moves the erased rectangle).
 */
public final class Augmentation implements Transform {
  public static final List<String> NAMES = Recipe.NAMES;

  private final Recipe recipe;
  private final List<Transform> transforms;
  private final Optional<BatchMix> batchMix;

  public Augmentation(Recipe recipe) {
    this.recipe = recipe;
    List<Transform> t = new ArrayList<>();
    if (recipe.rrc() > 0) t.add(RandomResizedCrop.ofScale(recipe.rrc()));
    if (recipe.crop() > 0) t.add(new RandomCrop(recipe.crop()));
    if (recipe.hflip() > 0) t.add(new HorizontalFlip(recipe.hflip()));
    if (recipe.vflip() > 0) t.add(new VerticalFlip(recipe.vflip()));
    if (recipe.auto().equals("trivial")) t.add(new TrivialAugmentWide());
    if (recipe.jitter() > 0) {
      t.add(new ColorJitter(recipe.jitter(), recipe.jitter(), recipe.jitter(), 0));
    }
    if (recipe.erasing() > 0) t.add(RandomErasing.of(recipe.erasing()));
    this.transforms = List.copyOf(t);
    this.batchMix =
        recipe.mixup() > 0 || recipe.cutmix() > 0
            ? Optional.of(new BatchMix(recipe.mixup(), recipe.cutmix()))
            : Optional.empty();
  }

  /** A recipe name optionally followed by overrides: {@code strong,mixup=0.2,erasing=0}. */
  public static Augmentation parse(String spec) {
    return new Augmentation(Recipe.parse(spec));
  }

  /** One of {@link #NAMES} with its own settings; use {@link #parse} for overrides. */
  public static Augmentation named(String name) {
    return new Augmentation(Recipe.named(name));
  }

  /** The base recipe's name. */
  public String name() {
    return recipe.name();
  }

  public Recipe recipe() {
    return recipe;
  }

  /** The per-image transforms, in the order {@link #apply} runs them. */
  public List<Transform> transforms() {
    return transforms;
  }

  /** The batch-level Mixup/CutMix, if the spec turns either on. */
  public Optional<BatchMix> batchMix() {
    return batchMix;
  }

  /** The canonical spec, every key written out: parsing it gives this augmentation again. */
  public String spec() {
    return recipe.spec();
  }

  /** One line for logs and reports, e.g. {@code light: random crop (pad 2), h-flip p=0.5}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (recipe.rrc() > 0) {
      parts.add("random resized crop (scale " + Recipe.format(recipe.rrc()) + "-1)");
    }
    if (recipe.crop() > 0) parts.add("random crop (pad " + recipe.crop() + ")");
    if (recipe.hflip() > 0) parts.add("h-flip p=" + Recipe.format(recipe.hflip()));
    if (recipe.vflip() > 0) parts.add("v-flip p=" + Recipe.format(recipe.vflip()));
    if (recipe.auto().equals("trivial")) parts.add("TrivialAugmentWide");
    if (recipe.jitter() > 0) parts.add("color jitter " + Recipe.format(recipe.jitter()));
    if (recipe.erasing() > 0) parts.add("random erasing p=" + Recipe.format(recipe.erasing()));
    if (recipe.mixup() > 0) parts.add("mixup alpha=" + Recipe.format(recipe.mixup()));
    if (recipe.cutmix() > 0) parts.add("cutmix alpha=" + Recipe.format(recipe.cutmix()));
    if (recipe.mixup() > 0 && recipe.cutmix() > 0) parts.add("one of the two per batch");
    String label = recipe.equals(Recipe.named(name())) ? name() : name() + " (customised)";
    return label + ": " + (parts.isEmpty() ? "no augmentation" : String.join(", ", parts));
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    ImageU8 x = in;
    for (Transform t : transforms) x = t.apply(x, rng);
    return x;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Augmentation a && a.recipe.equals(recipe);
  }

  @Override
  public int hashCode() {
    return recipe.hashCode();
  }

  @Override
  public String toString() {
    return spec();
  }
}
