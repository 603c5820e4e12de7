package dev.imgclass.train.models;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Every tensor a model owns, by torchvision-style name ({@code layer1.0.conv1.weight}), in
 * registration order. These tensors live outside any PointerScope for the model's lifetime.
 */
public final class ParamStore {
  /** What a tensor is for: trained with weight decay, trained without it, or a running buffer. */
  public enum Kind {
    WEIGHT,
    NO_DECAY,
    BUFFER
  }

  /** A named tensor of the model. */
  public record Entry(String name, Tensor tensor, Kind kind) {
    public boolean trainable() {
      return kind != Kind.BUFFER;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  void add(String name, Tensor t, Kind kind) {
    if (entries.putIfAbsent(name, new Entry(name, t, kind)) != null) {
      throw new IllegalStateException("tensor name registered twice: " + name);
    }
  }

  public Collection<Entry> entries() {
    return entries.values();
  }

  public Optional<Entry> get(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  public long trainableCount() {
    return entries.values().stream()
        .filter(Entry::trainable)
        .mapToLong(e -> e.tensor().numel())
        .sum();
  }

  static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }
}
