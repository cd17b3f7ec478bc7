package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.FilterReport.Redaction;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResultFilterTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<RedactionKind> NONE = Set.of();

  private static JsonNode json(String text) {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static String redact(RedactionKind kind, String text) {
    ResultFilter f = ResultFilter.compile(null, EnumSet.of(kind));
    return f.apply(JSON.getNodeFactory().stringNode(text)).result().asString();
  }

  @Test
  void keepsOnlyAllowedFieldsAndReportsDroppedPointers() {
    ResultFilter f = ResultFilter.compile(List.of("/id", "/name", "/orders/*/total"), NONE);
    JsonNode in =
        json(
            "{'id':'C-1','name':'Maria','secret':'x','orders':[{'id':'O-1','total':10},{'total':20,'note':'n'}]}");

    ResultFilter.Filtered out = f.apply(in);

    assertThat(out.result())
        .isEqualTo(json("{'id':'C-1','name':'Maria','orders':[{'total':10},{'total':20}]}"));
    assertThat(out.report().dropped()).containsExactly("/secret", "/orders/0/id", "/orders/1/note");
    assertThat(out.report().redacted()).isEmpty();
    assertThat(in.has("secret")).as("the input is never changed").isTrue();
  }

  @Test
  void wildcardMatchesObjectMembersAndIndexesMatchArrayElements() {
    ResultFilter f = ResultFilter.compile(List.of("/customers/*/name", "/items/1"), NONE);
    JsonNode in =
        json("{'customers':{'a':{'name':'A','email':'e'},'b':{'name':'B'}},'items':['x','y','z']}");

    ResultFilter.Filtered out = f.apply(in);

    assertThat(out.result())
        .isEqualTo(json("{'customers':{'a':{'name':'A'},'b':{'name':'B'}},'items':['y']}"));
    assertThat(out.report().dropped())
        .containsExactly("/customers/a/email", "/items/0", "/items/2");
  }

  @Test
  void aScalarWhereThePointerGoesDeeperIsDropped() {
    ResultFilter f = ResultFilter.compile(List.of("/a/b"), NONE);

    ResultFilter.Filtered out = f.apply(json("{'a':'flat','c/d':1}"));

    assertThat(out.result()).isEqualTo(json("{}"));
    assertThat(out.report().dropped()).containsExactly("/a", "/c~1d");
  }

  @Test
  void aMemberWithNothingAllowedInsideIsDroppedNotLeftBehindAsAnEmptyObjectThatNamesIt() {
    ResultFilter f =
        ResultFilter.compile(List.of("/customers/*/name", "/items/*/name", "/id"), NONE);
    JsonNode in =
        json(
            "{'customers':{'Maria Keller':{'ssn':'1'},'omar':{'name':'Omar','ssn':'2'}},"
                + "'items':[{'secret':1},{'name':'n'}],'id':'C-1'}");

    ResultFilter.Filtered out = f.apply(in);

    assertThat(out.result())
        .isEqualTo(
            json("{'customers':{'omar':{'name':'Omar'}},'items':[{'name':'n'}],'id':'C-1'}"));
    assertThat(out.report().dropped())
        .containsExactly(
            "/customers/Maria Keller/ssn",
            "/customers/Maria Keller",
            "/customers/omar/ssn",
            "/items/0/secret",
            "/items/0");
  }

  @Test
  void aContainerWhoseMembersAreAllDroppedIsDroppedItself() {
    ResultFilter f = ResultFilter.compile(List.of("/accounts/*/id", "/id"), NONE);

    ResultFilter.Filtered out =
        f.apply(json("{'id':1,'accounts':{'alice':{},'bob':{'pin':'1'}},'x':[]}"));

    assertThat(out.result()).isEqualTo(json("{'id':1}"));
    assertThat(out.report().dropped())
        .containsExactly(
            "/accounts/alice", "/accounts/bob/pin", "/accounts/bob", "/accounts", "/x");
  }

  @Test
  void theTopLevelStaysAnObjectWhenNothingInItIsAllowed() {
    ResultFilter f = ResultFilter.compile(List.of("/id"), NONE);

    assertThat(f.apply(json("{'secret':1}")).result()).isEqualTo(json("{}"));
    assertThat(f.apply(json("[1,2]")).result()).isEqualTo(json("[]"));
    assertThat(f.apply(json("'text'")).result().isNull())
        .as("a scalar where a pointer goes deeper")
        .isTrue();
    assertThat(f.apply(json("'text'")).report().dropped()).containsExactly("");
  }

  @Test
  void twoPointersThroughOneWildcardBothKeepTheirField() {
    ResultFilter f = ResultFilter.compile(List.of("/orders/*/id", "/orders/*/total"), NONE);

    ResultFilter.Filtered out = f.apply(json("{'orders':[{'id':1,'total':2,'card':'x'}]}"));

    assertThat(out.result()).isEqualTo(json("{'orders':[{'id':1,'total':2}]}"));
  }

  @Test
  void aNamedPointerAndAWildcardAtTheSameLevelBothApply() {
    ResultFilter f = ResultFilter.compile(List.of("/a/x/id", "/a/*/name"), NONE);

    ResultFilter.Filtered out =
        f.apply(json("{'a':{'x':{'id':1,'name':'n','s':2},'y':{'id':3,'name':'m'}}}"));

    assertThat(out.result()).isEqualTo(json("{'a':{'x':{'id':1,'name':'n'},'y':{'name':'m'}}}"));
    assertThat(out.report().dropped()).containsExactly("/a/x/s", "/a/y/id");
  }

  @Test
  void aPointerEndingAtAMemberKeepsItWholeWhateverOtherPointersGoDeeper() {
    JsonNode in = json("{'a':{'x':{'id':1,'s':2},'y':{'s':3}}}");

    assertThat(ResultFilter.compile(List.of("/a/x/id", "/a/*"), NONE).apply(in).result())
        .isEqualTo(in);
    assertThat(ResultFilter.compile(List.of("/a/*/id", "/a/x"), NONE).apply(in).result())
        .isEqualTo(json("{'a':{'x':{'id':1,'s':2}}}"));
  }

  @Test
  void theEmptyPointerKeepsEverything() {
    ResultFilter f = ResultFilter.compile(List.of("/a", ""), NONE);
    JsonNode in = json("{'a':1,'b':2}");

    assertThat(f.keepsAllFields()).isTrue();
    assertThat(f.fields()).containsExactly("/a", "");
    assertThat(f.apply(in).result()).isEqualTo(in);
  }

  @Test
  void escapedPointersAddressNamesWithSlashesAndTildes() {
    ResultFilter f = ResultFilter.compile(List.of("/a~1b", "/c~0d/~01"), NONE);

    ResultFilter.Filtered out = f.apply(json("{'a/b':1,'c~d':{'~1':2,'/':3},'x~y':4,'a~1b':5}"));

    assertThat(out.result()).isEqualTo(json("{'a/b':1,'c~d':{'~1':2}}"));
    assertThat(out.report().dropped()).containsExactly("/c~0d/~1", "/x~0y", "/a~01b");
  }

  @Test
  void rejectsATildeAtTheEndOfAToken() {
    assertThatThrownBy(() -> ResultFilter.compile(List.of("/a~"), NONE))
        .hasMessage("'/a~' has a '~' that is not '~0' or '~1'");
  }

  @Test
  void tellsWhatItWasCompiledWith() {
    ResultFilter f =
        ResultFilter.compile(
            List.of("/b", "/a"), EnumSet.of(RedactionKind.PHONE, RedactionKind.EMAIL));

    assertThat(f.keepsAllFields()).isFalse();
    assertThat(f.fields()).containsExactly("/b", "/a");
    assertThat(f.redact()).containsExactly(RedactionKind.EMAIL, RedactionKind.PHONE);
    assertThat(ResultFilter.compile(null, NONE).fields()).isEmpty();
    assertThat(ResultFilter.compile(null, NONE).keepsAllFields()).isTrue();
    assertThat(ResultFilter.DEFAULT.redact()).containsExactly(RedactionKind.values());
  }

  @Test
  void rejectsPointersThatAreNotPointers() {
    assertThatThrownBy(() -> ResultFilter.compile(List.of("id"), NONE))
        .hasMessage("'id' is not a JSON Pointer (it must start with '/')");
    assertThatThrownBy(() -> ResultFilter.compile(List.of("/a~2"), NONE))
        .hasMessage("'/a~2' has a '~' that is not '~0' or '~1'");
  }

  @Test
  void redactsEveryKindByDefaultAndReportsPathsNotValues() {
    JsonNode in =
        json(
            "{'contact':{'email':'maria.keller@example.com','phone':'+49 30 5550 1001'},"
                + "'payment':['card 4111 1111 1111 1111','IBAN DE89 3704 0044 0532 0130 00'],'id':'C-1001'}");

    ResultFilter.Filtered out = ResultFilter.DEFAULT.apply(in);

    assertThat(out.result())
        .isEqualTo(
            json(
                "{'contact':{'email':'[redacted:email]','phone':'[redacted:phone]'},"
                    + "'payment':['card [redacted:card]','IBAN [redacted:iban]'],'id':'C-1001'}"));
    assertThat(out.report().redacted())
        .containsExactly(
            new Redaction("/contact/email", "email"), new Redaction("/contact/phone", "phone"),
            new Redaction("/payment/0", "card"), new Redaction("/payment/1", "iban"));
    assertThat(out.report().toString()).doesNotContain("maria", "4111", "DE89");
  }

  @Test
  void redactsPersonalDataUsedAsAMemberNameAndReportsTheRedactedPath() {
    JsonNode in =
        json(
            "{'byEmail':{'maria@example.com':{'tier':'gold'},'omar@example.com':{'tier':'blue'}}}");

    ResultFilter.Filtered out = ResultFilter.DEFAULT.apply(in);

    assertThat(out.result())
        .isEqualTo(
            json(
                "{'byEmail':{'[redacted:email]':{'tier':'gold'},'[redacted:email]~2':{'tier':'blue'}}}"));
    assertThat(out.report().redacted())
        .containsExactly(
            new Redaction("/byEmail/[redacted:email]", "email"),
            new Redaction("/byEmail/[redacted:email]~02", "email"));
  }

  @Test
  void aDroppedMemberNamedByPersonalDataIsReportedByItsRedactedPath() {
    ResultFilter f = ResultFilter.compile(List.of("/id"), EnumSet.of(RedactionKind.EMAIL));

    ResultFilter.Filtered out = f.apply(json("{'id':'C-1','maria@example.com':'x'}"));

    assertThat(out.result()).isEqualTo(json("{'id':'C-1'}"));
    assertThat(out.report().toString()).doesNotContain("maria");
    assertThat(out.report().dropped()).containsExactly("/[redacted:email]");
  }

  @Test
  void aMemberNamedLikeAMarkerDoesNotReplaceTheMemberRedactedBeforeIt() {
    JsonNode in = json("{'a@b.io':'first','[redacted:email]':'second','c@d.io':'third'}");

    ResultFilter.Filtered out =
        ResultFilter.compile(null, EnumSet.of(RedactionKind.EMAIL)).apply(in);

    assertThat(out.result())
        .isEqualTo(
            json(
                "{'[redacted:email]':'first','[redacted:email]~2':'second','[redacted:email]~3':'third'}"));
    assertThat(out.report().redacted())
        .containsExactly(
            new Redaction("/[redacted:email]", "email"),
            new Redaction("/[redacted:email]~03", "email"));
  }

  @Test
  void aDroppedSubtreeIsReportedByItsTopOnly() {
    ResultFilter f = ResultFilter.compile(List.of("/id"), NONE);

    ResultFilter.Filtered out =
        f.apply(json("{'id':1,'secret':{'pin':'1','nested':{'x':2}},'list':[1,2]}"));

    assertThat(out.result()).isEqualTo(json("{'id':1}"));
    assertThat(out.report().dropped()).containsExactly("/secret", "/list");
  }

  @Test
  void namesStartingWithATildeOrASlashAreEscapedInPaths() {
    ResultFilter f = ResultFilter.compile(List.of("/id"), NONE);

    assertThat(f.apply(json("{'~a':1,'/b':2}")).report().dropped()).containsExactly("/~0a", "/~1b");
  }

  @Test
  void integersAreTakenForCardsOnlyWhenCardsAreRedactedAndOfThirteenToNineteenDigits() {
    ResultFilter cards = ResultFilter.compile(null, EnumSet.of(RedactionKind.CARD));
    JsonNode in =
        json(
            "{'d13':4222222222222,'d12':422222222222,'d19':9999999999999999998,'d20':99999999999999999999}");

    ResultFilter.Filtered out = cards.apply(in);

    assertThat(out.result())
        .isEqualTo(
            json(
                "{'d13':'[redacted:card]','d12':422222222222,'d19':'[redacted:card]','d20':99999999999999999999}"));
    assertThat(out.report().redacted())
        .containsExactly(new Redaction("/d13", "card"), new Redaction("/d19", "card"));
    assertThat(ResultFilter.compile(null, EnumSet.of(RedactionKind.EMAIL)).apply(in).result())
        .isEqualTo(in);
  }

  @Test
  void redactionLeavesOtherScalarsAsTheyAre() {
    JsonNode in = json("{'ok':true,'none':null,'amount':12.5,'list':[false,1]}");

    assertThat(ResultFilter.DEFAULT.apply(in).result()).isEqualTo(in);
  }

  @Test
  void redactsFreeText() {
    assertThat(ResultFilter.DEFAULT.redactText("no such customer maria@example.com"))
        .isEqualTo("no such customer [redacted:email]");
  }

  @Test
  void redactsOnlyInsideKeptFields() {
    ResultFilter f = ResultFilter.compile(List.of("/email"), EnumSet.of(RedactionKind.EMAIL));

    ResultFilter.Filtered out = f.apply(json("{'email':'a@b.io','other':'c@d.io'}"));

    assertThat(out.result()).isEqualTo(json("{'email':'[redacted:email]'}"));
    assertThat(out.report().dropped()).containsExactly("/other");
    assertThat(out.report().redacted()).containsExactly(new Redaction("/email", "email"));
  }

  @Test
  void optingOutOfRedactionLeavesTheResultAlone() {
    JsonNode in = json("{'email':'a@b.io'}");

    ResultFilter.Filtered out = ResultFilter.compile(null, NONE).apply(in);

    assertThat(out.result()).isSameAs(in);
    assertThat(out.report().isEmpty()).isTrue();
  }

  @Test
  void emails() {
    assertThat(redact(RedactionKind.EMAIL, "write to first.last+tag@mail.example.co.uk today"))
        .isEqualTo("write to [redacted:email] today");
    assertThat(redact(RedactionKind.EMAIL, "user@localhost, @handle, a@b"))
        .isEqualTo("user@localhost, @handle, a@b");
  }

  @Test
  void cardsOnlyWhenTheLuhnCheckPasses() {
    assertThat(redact(RedactionKind.CARD, "4111111111111111")).isEqualTo("[redacted:card]");
    assertThat(redact(RedactionKind.CARD, "5500-0000-0000-0004 exp 12/29"))
        .isEqualTo("[redacted:card] exp 12/29");
    assertThat(redact(RedactionKind.CARD, "4111111111111112"))
        .as("Luhn fails")
        .isEqualTo("4111111111111112");
    assertThat(redact(RedactionKind.CARD, "order 123456789012"))
        .as("12 digits")
        .isEqualTo("order 123456789012");
    assertThat(
            ResultFilter.compile(null, EnumSet.of(RedactionKind.CARD))
                .apply(json("{'n':4111111111111111}"))
                .result())
        .isEqualTo(json("{'n':'[redacted:card]'}"));
    assertThat(
            ResultFilter.compile(null, EnumSet.of(RedactionKind.CARD))
                .apply(json("{'n':4111111111111112}"))
                .result())
        .isEqualTo(json("{'n':4111111111111112}"));
  }

  @Test
  void ibansOnlyWhenTheMod97CheckPasses() {
    assertThat(redact(RedactionKind.IBAN, "DE89370400440532013000")).isEqualTo("[redacted:iban]");
    assertThat(redact(RedactionKind.IBAN, "pay GB82 WEST 1234 5698 7654 32."))
        .isEqualTo("pay [redacted:iban].");
    assertThat(redact(RedactionKind.IBAN, "DE88370400440532013000"))
        .as("wrong check digits")
        .isEqualTo("DE88370400440532013000");
    assertThat(redact(RedactionKind.IBAN, "SKU AB12CDEF")).isEqualTo("SKU AB12CDEF");
  }

  @Test
  void phonesInCommonFormatsButNotOrdinaryNumbers() {
    assertThat(redact(RedactionKind.PHONE, "call +1 415 555 0102"))
        .isEqualTo("call [redacted:phone]");
    assertThat(redact(RedactionKind.PHONE, "+4930555010")).isEqualTo("[redacted:phone]");
    assertThat(redact(RedactionKind.PHONE, "(030) 5550 1001")).isEqualTo("[redacted:phone]");
    assertThat(redact(RedactionKind.PHONE, "030 5550 1001")).isEqualTo("[redacted:phone]");
    assertThat(redact(RedactionKind.PHONE, "415-555-0102")).isEqualTo("[redacted:phone]");
    assertThat(redact(RedactionKind.PHONE, "total 1234567 cents")).isEqualTo("total 1234567 cents");
    assertThat(redact(RedactionKind.PHONE, "2026-11-23T10:00:00Z"))
        .isEqualTo("2026-11-23T10:00:00Z");
    assertThat(redact(RedactionKind.PHONE, "12345.67")).isEqualTo("12345.67");
    assertThat(redact(RedactionKind.PHONE, "+12 34")).as("too few digits").isEqualTo("+12 34");
    assertThat(redact(RedactionKind.PHONE, "C-1001")).isEqualTo("C-1001");
  }
}
