package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The patterns and checks one kind at a time, at the edges of what each kind accepts. */
class PiiPatternsTest {

  @Test
  void redactsEveryCheckedMatchAndKeepsTheTextBetweenAndAfterThem() {
    assertThat(PiiPatterns.redact("a@b.io, c@d.io and e@f.io.", RedactionKind.EMAIL))
        .isEqualTo("[redacted:email], [redacted:email] and [redacted:email].");
  }

  @Test
  void aCandidateThatFailsItsCheckDoesNotStopTheSearchForTheNextOne() {
    assertThat(PiiPatterns.redact("4111111111111112 then 4111111111111111 end", RedactionKind.CARD))
        .isEqualTo("4111111111111112 then [redacted:card] end");
    assertThat(
            PiiPatterns.redact(
                "DE88370400440532013000 or DE89370400440532013000!", RedactionKind.IBAN))
        .isEqualTo("DE88370400440532013000 or [redacted:iban]!");
  }

  @Test
  void textWithoutACheckedMatchIsReturnedAsItIs() {
    String text = "order 4111111111111112";
    assertThat(PiiPatterns.redact(text, RedactionKind.CARD)).isSameAs(text);
  }

  @Test
  void cardsOfThirteenToNineteenDigits() {
    assertThat(PiiPatterns.redact("4222222222222", RedactionKind.CARD))
        .isEqualTo("[redacted:card]");
    assertThat(PiiPatterns.redact("9999999999999999998", RedactionKind.CARD))
        .isEqualTo("[redacted:card]");
    assertThat(PiiPatterns.redact("422222222222", RedactionKind.CARD))
        .as("12 digits")
        .isEqualTo("422222222222");
    assertThat(PiiPatterns.redact("99999999999999999999", RedactionKind.CARD))
        .as("20 digits")
        .isEqualTo("99999999999999999999");
  }

  @Test
  void luhnDoublesEverySecondDigitFromTheRightAndSkipsSeparators() {
    assertThat(PiiPatterns.luhn("79927398713")).isTrue();
    assertThat(PiiPatterns.luhn("79927398710")).isFalse();
    assertThat(PiiPatterns.luhn("7992-7398 713")).isTrue();
    assertThat(PiiPatterns.luhn("card 79927398713 ok")).as("only digits count").isTrue();
    assertThat(PiiPatterns.luhn("999999999999994")).isTrue();
    assertThat(PiiPatterns.luhn("999999999999999")).isFalse();
    assertThat(PiiPatterns.luhn("5105105105105100")).isTrue();
    assertThat(PiiPatterns.luhn("6011000990139424")).as("its 0s and 9s count").isTrue();
    assertThat(PiiPatterns.luhn("0000000000000000")).isTrue();
    assertThat(PiiPatterns.luhn("1000000000000000")).isFalse();
  }

  @Test
  void ibansOfFifteenToThirtyFourCharacters() {
    assertThat(PiiPatterns.mod97("NO9386011117947")).as("Norway, 15").isTrue();
    assertThat(PiiPatterns.mod97("XX361234567890")).as("14, though its check passes").isFalse();
    assertThat(PiiPatterns.mod97("XX88AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).as("34").isTrue();
    assertThat(PiiPatterns.mod97("XX08AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .as("35, though its check passes")
        .isFalse();
    assertThat(PiiPatterns.mod97("XX53999999999999999999999999999999")).isTrue();
    assertThat(PiiPatterns.mod97("XX53999999999999999999999999999998")).isFalse();
    assertThat(PiiPatterns.mod97("GB82 WEST 1234 5698 7654 32")).as("grouped").isTrue();
    assertThat(PiiPatterns.redact("NO93 8601 1117 947", RedactionKind.IBAN))
        .isEqualTo("[redacted:iban]");
  }

  @Test
  void phonesOfSevenToFifteenDigits() {
    assertThat(PiiPatterns.redact("+1234567", RedactionKind.PHONE)).isEqualTo("[redacted:phone]");
    assertThat(PiiPatterns.redact("+1999999", RedactionKind.PHONE)).isEqualTo("[redacted:phone]");
    assertThat(PiiPatterns.redact("030 1234", RedactionKind.PHONE))
        .as("7 digits")
        .isEqualTo("[redacted:phone]");
    assertThat(PiiPatterns.redact("030 123", RedactionKind.PHONE))
        .as("6 digits")
        .isEqualTo("030 123");
    assertThat(PiiPatterns.redact("(123) 456789012345", RedactionKind.PHONE))
        .as("15 digits")
        .isEqualTo("[redacted:phone]");
    assertThat(PiiPatterns.redact("(1234) 456789012345", RedactionKind.PHONE))
        .as("16 digits")
        .isEqualTo("(1234) 456789012345");
    assertThat(PiiPatterns.redact("090 999999999999", RedactionKind.PHONE))
        .as("15 digits")
        .isEqualTo("[redacted:phone]");
    assertThat(PiiPatterns.redact("090 9999999999999", RedactionKind.PHONE))
        .as("16 digits")
        .isEqualTo("090 9999999999999");
  }

  @Test
  void digitsThatArePartOfALongerTokenAreNoPhoneNumber() {
    for (String token :
        new String[] {
          "<fb471eb4-0100-478a-a4a4-99c6ef50d14b@acme.com>",
          "1e0a2b3c-0100-4789-8abc-0123456789ab",
          "ORD-0100-4478",
          "0100-4478-ab",
          "x030 1234"
        }) {
      assertThat(PiiPatterns.redact(token, RedactionKind.PHONE)).as(token).isEqualTo(token);
    }
    assertThat(PiiPatterns.redact("call 0100-4478 today", RedactionKind.PHONE))
        .as("the same digits standing alone")
        .isEqualTo("call [redacted:phone] today");
    assertThat(PiiPatterns.redact("(030) 1234567, ask for Ana", RedactionKind.PHONE))
        .isEqualTo("[redacted:phone], ask for Ana");
  }

  @Test
  void aGlanceRulesOutValuesThatCannotHoldAKindAndOnlyThose() {
    for (RedactionKind kind : RedactionKind.values()) {
      for (String plain : new String[] {"Maria Keller", "C-1001", "gold", "", "v2.1"}) {
        assertThat(PiiPatterns.mayHold(plain, kind)).as(kind + " in " + plain).isFalse();
        assertThat(PiiPatterns.redact(plain, kind)).isSameAs(plain);
      }
    }
    // the shortest text each kind redacts passes the glance
    assertThat(PiiPatterns.mayHold("a@b.io", RedactionKind.EMAIL)).isTrue();
    assertThat(PiiPatterns.mayHold("+1234567", RedactionKind.PHONE)).isTrue();
    assertThat(PiiPatterns.mayHold("+123456", RedactionKind.PHONE)).isFalse();
    assertThat(PiiPatterns.mayHold("4222222222222", RedactionKind.CARD)).isTrue();
    assertThat(PiiPatterns.mayHold("422222222222 x", RedactionKind.CARD)).isFalse();
    assertThat(PiiPatterns.mayHold("NO9386011117947", RedactionKind.IBAN)).isTrue();
    assertThat(PiiPatterns.mayHold("NO938601111794", RedactionKind.IBAN)).isFalse();
    assertThat(PiiPatterns.mayHold("NOXXAAAAAAAAAAA", RedactionKind.IBAN)).isFalse();
  }
}
