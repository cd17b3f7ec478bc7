package dev.portcullis.invocation;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * New invocation ids: UUID version 7 (RFC 9562), the clock's milliseconds first, then 74 random
 * bits. Ids minted later sort after earlier ones, so the store appends each new call and its
 * records at the end of its indexes instead of touching a random page of each: a commit writes a
 * few hot pages, and pages fill up. The random bits keep an id unguessable; an id is not a
 * capability anyway (every read of a call checks who is asking).
 */
public final class InvocationIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private InvocationIds() {}

  /** A new id, timed by {@code clock}. */
  public static String next(Clock clock) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long millis = clock.millis() & 0xFFFF_FFFF_FFFFL;
    long high = (millis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long low = 0;
    for (int i = 2; i < 10; i++) {
      low = (low << 8) | (random[i] & 0xFFL);
    }
    low = (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
