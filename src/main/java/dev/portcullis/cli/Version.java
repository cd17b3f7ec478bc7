package dev.portcullis.cli;

/** The version of this build, from the jar manifest when there is one. */
final class Version {
  private Version() {}

  static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }
}
