package dev.portcullis.invocation;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Mints invocation ids: time-ordered UUIDs (version 7, RFC 9562) from the injected clock's instant
 * and 74 random bits, so a new call's row and records go to the end of the store's indexes instead
 * of a random page (random keys leave B-tree pages half full).
 *
 * <p>Security: an id is not a secret (every read checks that the reader made the call), but it is
 * not guessable either: besides the millisecond it was minted in, it holds 74 bits from a {@link
 * SecureRandom}.
 */
public final class InvocationIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private InvocationIds() {}

  /** A new id for a call received at {@code now}. */
  public static String next(Instant now) {
    long millis = now.toEpochMilli() & 0xFFFF_FFFF_FFFFL;
    long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long low = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
