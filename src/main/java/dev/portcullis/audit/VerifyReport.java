package dev.portcullis.audit;

/** The result of checking the chain: how many records held, and the first one that did not. */
public record VerifyReport(boolean intact, long verified, long firstBadSeq, String problem) {
  public static VerifyReport ok(long verified) {
    return new VerifyReport(true, verified, 0, null);
  }

  public static VerifyReport broken(long firstBadSeq, long verified, String problem) {
    return new VerifyReport(false, verified, firstBadSeq, problem);
  }
}
