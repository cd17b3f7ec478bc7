package dev.portcullis.config;

/** Shows a JSON Pointer the way people read configuration: {@code tools[1].http.path}. */
final class FieldPath {
  private FieldPath() {}

  static String display(String pointer) {
    if (pointer.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String raw : pointer.substring(1).split("/", -1)) {
      String part = raw.replace("~1", "/").replace("~0", "~");
      if (part.chars().allMatch(Character::isDigit) && !part.isEmpty()) {
        out.append('[').append(part).append(']');
      } else {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(part);
      }
    }
    return out.toString();
  }
}
