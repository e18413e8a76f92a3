package dev.redisha.api;

/** Which redis-ha this is, for {@code redisha_build_info} and the CLI. */
public final class BuildInfo {
  // Kept equal to the pom's version; a jar built by Maven says its own in the manifest.
  private static final String FALLBACK = "0.1.0";

  private BuildInfo() {}

  public static String version() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? FALLBACK : v;
  }
}
