package dev.portcullis.catalog;

/** Bounds on a call's arguments, checked before the schema: serialized size and nesting depth. */
public record ArgumentLimits(int maxBytes, int maxDepth) {
  public static final ArgumentLimits DEFAULT = new ArgumentLimits(64 * 1024, 16);

  public ArgumentLimits {
    if (maxBytes <= 0 || maxDepth <= 0) {
      throw new IllegalArgumentException("argument limits must be positive");
    }
  }
}
