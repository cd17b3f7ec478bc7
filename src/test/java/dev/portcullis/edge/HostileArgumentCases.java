package dev.portcullis.edge;

import static dev.portcullis.edge.HostileCorpus.call;
import static dev.portcullis.edge.HostileCorpus.invoke;

import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * Policy evasion and injection through tool arguments. Policy: tools an agent may not call (and
 * names that only look like a tool's), reserved channel and context names, and arguments that make
 * a guard of {@code hostile/corpus-policies} error (a guard that cannot be evaluated holds).
 * Injection: payloads × the arguments of every connector kind they target (http path and query,
 * sql, slack, smtp); each is refused by the schema or by the connector, with nothing sent.
 */
final class HostileArgumentCases {
  private static final String P = "policy";
  private static final String I = "injection";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String BILLING =
      "Authorization: Bearer pcl_demo_billing_assistant_key_not_for_production\r\n";
  private static final String TOKEN_AGENT = "Authorization: Bearer {JWT:agent}\r\n";
  private static final String EU = ",\"policyContext\":{\"region\":\"eu\"}";
  private static final String TICKET =
      "\"customerId\":\"C-1001\",\"subject\":\"Broken\",\"body\":\"It broke.\",\"priority\":\"low\"";
  private static final String MAIL = "\"subject\":\"Your ticket\",\"body\":\"It is solved.\"";

  private HostileArgumentCases() {}

  static void add(HostileCorpus c) {
    forbiddenTools(c);
    channelsAndContext(c);
    guards(c);
    identifiers(c);
    emails(c);
    slack(c);
    mail(c);
    sql(c);
  }

  /** {@code s} as a JSON string literal. */
  static String q(String s) {
    return JSON.writeValueAsString(s);
  }

  private static void forbiddenTools(HostileCorpus c) {
    String[][] denied = {
      {
        "support", "orders_refund", "{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}"
      },
      {"billing", "crm_get_customer", "{\"customerId\":\"C-1001\"}"},
      {"billing", "mail_send", "{\"to\":[\"ann@acme.com\"],\"cc\":[]," + MAIL + "}"},
      {"billing", "chat_post", "{\"channel\":\"#support\",\"text\":\"hi\"}"},
      {"billing", "customers_in_region", "{\"region\":\"eu\"}"},
      {"token", "tickets_create", "{" + TICKET + ",\"tags\":[\"a\"]}"},
      {"token", "mail_send", "{\"to\":[\"ann@acme.com\"],\"cc\":[]," + MAIL + "}"},
      {"token", "chat_post", "{\"channel\":\"#support\",\"text\":\"hi\"}"},
      {"token", "orders_refund", "{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}"},
      {"support", "orders_refund", "{\"orderId\":\"nope\",\"amount\":-1,\"extra\":true}"},
    };
    for (String[] d : denied) {
      String auth =
          switch (d[0]) {
            case "billing" -> BILLING;
            case "token" -> TOKEN_AGENT;
            default -> "Authorization: Bearer {KEY}\r\n";
          };
      c.add(
              P,
              "REST " + d[0] + " agent calls " + d[1] + " " + d[2],
              invoke(d[1], auth, "{\"arguments\":" + d[2] + "}"))
          .problem(403, "denied-by-policy")
          .audit(1)
          .excludes("violations");
      if (d[0].equals("support")) {
        c.add(P, "MCP support agent calls " + d[1] + " " + d[2], call(d[1], d[2]))
            .isError("denied-by-policy")
            .audit(1);
      }
    }
    String[][] lookAlikes = {
      {"upper case", "CRM_GET_CUSTOMER"},
      {"a trailing space", "crm_get_customer%20"},
      {"a zero-width space", "crm_get_customer%E2%80%8B"},
      {"a Cyrillic es", "%D1%81rm_get_customer"},
      {"a fullwidth letter", "%EF%BD%83rm_get_customer"},
      {"a path traversal", "..%2Fcrm_get_customer"},
      {"an encoded slash", "crm_get_customer%2F..%2Forders_refund"},
      {"a wildcard", "crm_*"},
      {"a lone wildcard", "*"},
      {"a policy rule's id", "support-reads"},
      {"the connector's name", "acme"},
    };
    for (String[] l : lookAlikes) {
      c.add(
              P,
              "REST a tool named with " + l[0],
              invoke(l[1], "{\"arguments\":{\"customerId\":\"C-1001\"}}"))
          .problem(404, "unknown-tool")
          .audit(1);
    }
    c.add(
            P,
            "REST a tool name with an encoded NUL",
            invoke("crm_get_customer%00", "{\"arguments\":{\"customerId\":\"C-1001\"}}"))
        .problem(400, "malformed-request");
    c.add(
            P,
            "REST a tool name with a UTF-8 encoded surrogate",
            invoke("crm_get_customer%ED%A0%80", "{\"arguments\":{\"customerId\":\"C-1001\"}}"))
        .problem(400, "malformed-request");
    for (String control : new String[] {"%0D%0A", "%7F", "%C2%85"}) {
      c.add(
              P,
              "REST a tool name with control character " + control,
              invoke("crm_get_customer" + control, "{\"arguments\":{\"customerId\":\"C-1001\"}}"))
          .problem(404, "unknown-tool");
    }
    String[][] mcpNames = {
      {"upper case", "CRM_GET_CUSTOMER"},
      {"a trailing space", "crm_get_customer "},
      {"a zero-width space", "crm_get_customer\u200b"},
      {"a Cyrillic es", "\u0441rm_get_customer"},
      {"a path traversal", "../crm_get_customer"},
      {"a wildcard", "crm_*"},
    };
    for (String[] m : mcpNames) {
      c.add(P, "MCP a tool named with " + m[0], call(m[1], "{\"customerId\":\"C-1001\"}"))
          .rpc(200, -32602, "unknown-tool")
          .audit(1);
    }
    c.add(
            P,
            "MCP a tool name with a NUL",
            call("crm_get_customer\\u0000", "{\"customerId\":\"C-1001\"}"))
        .rpc(200, -32602, "unknown-tool");
  }

  private static void channelsAndContext(HostileCorpus c) {
    String read = "\"arguments\":{\"customerId\":\"C-1001\"}";
    for (String ch :
        new String[] {
          "rest", "REST", "mcp", " mcp ", "Mcp\t", "revert", "REVERT", "\nrevert\n", "\u2003rest"
        }) {
      c.add(
              P,
              "REST actor.channel " + q(ch),
              invoke("crm_get_customer", "{\"actor\":{\"channel\":" + q(ch) + "}," + read + "}"))
          .problem(400, "malformed-request");
    }
    for (String ch :
        new String[] {"re\u200bst", "\uff52\uff45\uff53\uff54", "rest\u00a0", "r\u0435st"}) {
      c.add(
              P,
              "REST actor.channel look-alike " + q(ch) + ", recorded as declared",
              invoke("crm_get_customer", "{\"actor\":{\"channel\":" + q(ch) + "}," + read + "}"))
          .ok(200)
          .reaches(HostileCorpus.readReaches())
          .audit(2);
    }
    for (String key : new String[] {"channel", "time", "declaredChannel"}) {
      for (String value : new String[] {"revert", "rest", ""}) {
        c.add(
                P,
                "REST policyContext." + key + " = " + q(value),
                invoke(
                    "crm_get_customer",
                    "{\"policyContext\":{\"" + key + "\":" + q(value) + "}," + read + "}"))
            .problem(400, "malformed-request");
      }
    }
  }

  private static void guards(HostileCorpus c) {
    String[][] ticketsDenied = {
      {"without a policyContext", "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\"]}}"},
      {
        "with region EU in upper case",
        "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\"]},\"policyContext\":{\"region\":\"EU\"}}"
      },
      {
        "with region 'eu '",
        "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\"]},\"policyContext\":{\"region\":\"eu \"}}"
      },
      {
        "with another context fact only",
        "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\"]},\"policyContext\":{\"zone\":\"eu\"}}"
      },
      {"without the optional tags a guard reads", "{\"arguments\":{" + TICKET + "}" + EU + "}"},
      {
        "with four tags",
        "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}" + EU + "}"
      },
      {"with the tag vip", "{\"arguments\":{" + TICKET + ",\"tags\":[\"vip\"]}" + EU + "}"},
      {
        "with 1000 tags",
        "{\"arguments\":{" + TICKET + ",\"tags\":[" + "\"t\",".repeat(999) + "\"t\"]}" + EU + "}"
      },
    };
    for (String[] t : ticketsDenied) {
      c.add(P, "REST ticket " + t[0], invoke("tickets_create", t[1]))
          .problem(403, "denied-by-policy")
          .audit(1);
    }
    c.add(
            P,
            "REST ticket with a policyContext member null",
            invoke(
                "tickets_create",
                "{\"arguments\":{"
                    + TICKET
                    + ",\"tags\":[\"a\"]},\"policyContext\":{\"region\":null}}"))
        .problem(400, "malformed-request");
    c.add(
            P,
            "MCP ticket without any context",
            call("tickets_create", "{" + TICKET + ",\"tags\":[\"a\"]}"))
        .isError("denied-by-policy")
        .audit(1);
    String[][] ticketsInvalid = {
      {"tags a number list", "[1,2]"},
      {"tags a string", "\"vip\""},
      {"tags null", "null"},
      {"tags an object", "{\"0\":\"vip\"}"},
      {"a tag of 41 characters", "[\"" + "t".repeat(41) + "\"]"},
    };
    for (String[] t : ticketsInvalid) {
      c.add(
              P,
              "REST ticket with " + t[0],
              invoke(
                  "tickets_create",
                  "{\"arguments\":{" + TICKET + ",\"tags\":" + t[1] + "}" + EU + "}"))
          .problem(422, "invalid-arguments")
          .audit(1);
    }
    c.add(
            P,
            "REST ticket from the EU with one tag, allowed",
            invoke("tickets_create", "{\"arguments\":{" + TICKET + ",\"tags\":[\"a\"]}" + EU + "}"))
        .ok(200)
        .reaches("POST /api/tickets")
        .audit(2);

    String[][] mailDenied = {
      {"without the optional cc a guard reads", "{\"to\":[\"ann@acme.com\"]," + MAIL + "}"},
      {"with a foreign cc", "{\"to\":[\"ann@acme.com\"],\"cc\":[\"x@evil.example\"]," + MAIL + "}"},
      {
        "with a cc that only starts like acme.com",
        "{\"to\":[\"ann@acme.com\"],\"cc\":[\"x@acme.com.evil.example\"]," + MAIL + "}"
      },
      {
        "with a cc in upper case",
        "{\"to\":[\"ann@acme.com\"],\"cc\":[\"x@ACME.COM\"]," + MAIL + "}"
      },
    };
    for (String[] m : mailDenied) {
      c.add(P, "REST mail " + m[0], invoke("mail_send", "{\"arguments\":" + m[1] + "}"))
          .problem(403, "denied-by-policy")
          .audit(1);
    }
    String[][] sqlDenied = {
      {"without the optional where a guard reads", "{}"},
      {"with an empty where", "{\"where\":{}}"},
      {"with a numeric region", "{\"where\":{\"region\":5}}"},
      {"with a boolean region", "{\"where\":{\"region\":true}}"},
      {
        "with a region of 30 items", "{\"where\":{\"region\":[" + "\"eu\",".repeat(29) + "\"eu\"]}}"
      },
      {"with a region of 21 characters", "{\"where\":{\"region\":\"" + "e".repeat(21) + "\"}}"},
    };
    for (String[] s : sqlDenied) {
      c.add(
              P,
              "REST find_customers " + s[0],
              invoke("find_customers", "{\"arguments\":" + s[1] + "}"))
          .problem(403, "denied-by-policy")
          .audit(1);
    }
    c.add(
            P,
            "REST a refund without a user token is held for approval",
            invoke(
                "orders_refund",
                BILLING,
                "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}}"))
        .ok(202)
        .audit(1);
    c.add(
            P,
            "REST a refund for a user no rule lets refund is denied",
            invoke(
                "orders_refund",
                BILLING + "Portcullis-User-Token: {JWT:user}\r\n",
                "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}}"))
        .problem(403, "denied-by-policy")
        .audit(1);
  }

  /**
   * Payloads for identifier arguments the schema constrains with a pattern (http path parameters).
   */
  private static final List<String> IDS =
      List.of(
          "../admin",
          "..%2Fadmin",
          "%2e%2e%2f",
          "C-1001/../../orders/O-5001",
          "C-1001?expand=all",
          "C-1001#x",
          "C-1001\r\nX-Injected: 1",
          "C-1001%0d%0aX-Injected:%201",
          "C-1001\n",
          "C-1001\r",
          "C-1001\r\n",
          "C-1001\u0085",
          "C-1001\u2028",
          "C-1001\u2029",
          "C\u20101001",
          "\uff23-1001",
          "C-\u0661\u0660\u0660\u0661",
          "C-1001\u0000",
          "..\\admin",
          "%252e%252e%252f",
          "/etc/passwd",
          "C-1001' OR '1'='1",
          "C-1001;rm -rf /",
          "C-10011",
          "c-1001",
          " C-1001",
          "C-1001\u200b",
          "C-1001\u0301",
          "C-１００１");

  private static void identifiers(HostileCorpus c) {
    for (String id : IDS) {
      String p = q(id);
      String order = q(id.replace('C', 'O'));
      c.add(
              I,
              "REST crm_get_customer.customerId " + p,
              invoke("crm_get_customer", "{\"arguments\":{\"customerId\":" + p + "}}"))
          .problem(422, "invalid-arguments")
          .audit(1);
      c.add(
              I,
              "MCP crm_get_customer.customerId " + p,
              call("crm_get_customer", "{\"customerId\":" + p + "}"))
          .isError("invalid-arguments")
          .audit(1);
      c.add(
              I,
              "REST orders_get.orderId " + order,
              invoke("orders_get", "{\"arguments\":{\"orderId\":" + order + "}}"))
          .problem(422, "invalid-arguments")
          .audit(1);
      c.add(
              I,
              "REST tickets_create.customerId " + p,
              invoke(
                  "tickets_create",
                  "{\"arguments\":{\"customerId\":"
                      + p
                      + ",\"subject\":\"Broken\",\"body\":\"x\",\"priority\":\"low\",\"tags\":[\"a\"]}"
                      + EU
                      + "}"))
          .problem(422, "invalid-arguments")
          .audit(1);
    }
    c.add(
            I,
            "REST crm_get_customer.customerId of 100000 characters",
            invoke("crm_get_customer", "{\"arguments\":{\"customerId\":\"{C*100000}\"}}"))
        .problem(422, "invalid-arguments");
  }

  private static void emails(HostileCorpus c) {
    String[] refused = {
      "a@acme.com\r\nX-Injected: 1",
      "a@acme.com&email=b@acme.com",
      "<a@acme.com>",
      "a@acme.com,b@evil.example",
      "a@acme.com\u0000",
      "a b@acme.com",
      "@acme.com",
      "a@",
      "a@acme.com'--",
      "a@acme.com/../admin",
    };
    for (String e : refused) {
      c.add(
              I,
              "REST crm_find_customer_by_email.email " + q(e),
              invoke("crm_find_customer_by_email", "{\"arguments\":{\"email\":" + q(e) + "}}"))
          .problem(422, "invalid-arguments")
          .audit(1);
    }
    c.add(
            I,
            "REST crm_find_customer_by_email.email of 300 characters",
            invoke(
                "crm_find_customer_by_email", "{\"arguments\":{\"email\":\"{l*290}@acme.com\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
  }

  /** Slack channels the connector's allowlist must refuse, whatever their spelling. */
  private static final List<String> CHANNELS =
      List.of(
          "#random",
          "#support\r\n",
          "#support ",
          " #support",
          "#support\u200b",
          "\uff03support",
          "C0SUPPORT1/../C0OTHER",
          "%23support",
          "@ann",
          "#support,#random",
          "C0SUPPORT2",
          "",
          "#support\u0000",
          "../chat.postMessage",
          "#supp\u043ert",
          "c0support1",
          "C0SUPPORT1\n#random",
          "#" + "s".repeat(79));

  private static void slack(HostileCorpus c) {
    for (String ch : CHANNELS) {
      String args = "{\"channel\":" + q(ch) + ",\"text\":\"the customer list\"}";
      c.add(
              I,
              "REST chat_post.channel " + q(ch),
              invoke("chat_post", "{\"arguments\":" + args + "}"))
          .problem(502, "upstream-rejected")
          .audit(2);
      c.add(I, "MCP chat_post.channel " + q(ch), call("chat_post", args))
          .isError("upstream-rejected")
          .audit(2);
    }
    c.add(
            I,
            "REST chat_post.channel #SUPPORT matches #support as Slack does, and is sent",
            invoke("chat_post", "{\"arguments\":{\"channel\":\"#SUPPORT\",\"text\":\"hi\"}}"))
        .problem(502, "upstream-rejected")
        .reaches("POST /api/slack/chat.postMessage")
        .audit(2);
    c.add(
            I,
            "REST chat_post.channel of 81 characters",
            invoke(
                "chat_post",
                "{\"arguments\":{\"channel\":\"#" + "s".repeat(80) + "\",\"text\":\"x\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST chat_post.text of 4001 characters",
            invoke("chat_post", "{\"arguments\":{\"channel\":\"#support\",\"text\":\"{t*4001}\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
  }

  /** Recipients the mail connector must refuse: header injection, routing tricks, other domains. */
  private static final List<String> RECIPIENTS =
      List.of(
          "a@acme.com\r\nBcc: x@evil.example",
          "a@acme.com\nBcc: x@evil.example",
          "a@acme.com\rBcc: x@evil.example",
          "a@evil.example",
          "a@acme.com.evil.example",
          "a@acme.com, b@evil.example",
          "Ann <a@evil.example>",
          "\"a@acme.com\"@evil.example",
          "a@[127.0.0.1]",
          "a@acme\uff0ecom",
          "a@\u0430cme.com",
          "a@acme.com\u0000",
          "@acme.com",
          "a@",
          "a@evil.example?@acme.com",
          "a@evil.example#@acme.com",
          "a@partners.acme-partners.com.evil.example",
          "a@evil.example\u0000@acme.com",
          "a@acme.com (c)",
          "<a@evil.example>a@acme.com",
          "a@acme.com>",
          "a@@acme.com",
          "a@acme-partners.com",
          "");

  /** Local parts a relay routes to another domain: the percent hack and bang paths. */
  private static final List<String> ROUTED =
      List.of(
          "a%evil.example@acme.com", "evil.example!a@acme.com", "a!b@acme.com", "a%b!c@acme.com");

  /** Subjects that try to add a header or end the message early. */
  private static final List<String> SUBJECTS =
      List.of(
          "Hi\r\nBcc: x@evil.example",
          "Hi\nBcc: x@evil.example",
          "Hi\rBcc: x@evil.example",
          "Hi\r\n\r\nbody",
          "Hi\u0000",
          "Hi\u0085Bcc: x@evil.example",
          "Hi\r\n.\r\nMAIL FROM:<x@evil.example>");

  private static void mail(HostileCorpus c) {
    for (String to : Stream.concat(RECIPIENTS.stream(), ROUTED.stream()).toList()) {
      String args = "{\"to\":[" + q(to) + "],\"cc\":[\"ann@acme.com\"]," + MAIL + "}";
      c.add(I, "REST mail_send.to " + q(to), invoke("mail_send", "{\"arguments\":" + args + "}"))
          .problem(502, "upstream-rejected")
          .audit(2);
      c.add(I, "MCP mail_send.to " + q(to), call("mail_send", args))
          .isError("upstream-rejected")
          .audit(2);
    }
    c.add(
            I,
            "REST mail_send.to an encoded-word local part is delivered to acme.com as written",
            invoke(
                "mail_send",
                "{\"arguments\":{\"to\":[\"=?utf-8?q?a=40evil.example?=@acme.com\"],\"cc\":[],"
                    + MAIL
                    + "}}"))
        .ok(200)
        .mails(1)
        .audit(2);
    c.add(
            I,
            "REST mail_send.subject with U+2028 is sent encoded, as one header",
            invoke(
                "mail_send",
                "{\"arguments\":{\"to\":[\"ann@acme.com\"],\"cc\":[],\"subject\":\"Hi\u2028Bcc: x@evil.example\",\"body\":\"x\"}}"))
        .ok(200)
        .mails(1)
        .audit(2);
    for (String s : SUBJECTS) {
      String args =
          "{\"to\":[\"ann@acme.com\"],\"cc\":[\"ann@acme.com\"],\"subject\":"
              + q(s)
              + ",\"body\":\"x\"}";
      c.add(
              I,
              "REST mail_send.subject " + q(s),
              invoke("mail_send", "{\"arguments\":" + args + "}"))
          .problem(502, "upstream-rejected")
          .audit(2);
    }
    c.add(
            I,
            "REST mail_send with six recipients",
            invoke(
                "mail_send",
                "{\"arguments\":{\"to\":["
                    + "\"a@acme.com\",".repeat(5)
                    + "\"a@acme.com\"],\"cc\":[],"
                    + MAIL
                    + "}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST mail_send.subject of 201 characters",
            invoke(
                "mail_send",
                "{\"arguments\":{\"to\":[\"a@acme.com\"],\"cc\":[],"
                    + "\"subject\":\"{s*201}\",\"body\":\"x\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST mail to acme.com with an empty cc, allowed",
            invoke(
                "mail_send", "{\"arguments\":{\"to\":[\"ann@acme.com\"],\"cc\":[]," + MAIL + "}}"))
        .ok(200)
        .mails(1)
        .audit(2);
  }

  /** Values bound as SQL parameters: they are data, so the query runs and finds nothing. */
  private static final List<String> SQL_VALUES =
      List.of(
          "eu' OR '1'='1",
          "eu'; DROP TABLE customers;--",
          "eu\" OR \"1\"=\"1",
          "' UNION SELECT password, name FROM customers--",
          "eu/*",
          "%",
          "eu' --",
          "eu\u0000",
          "1; SELECT 1",
          "eu' AND (SELECT COUNT(*) FROM sqlite_master) > 0 --");

  /** Column and filter names the SQL connector's allowlist must refuse. */
  private static final List<String> SQL_NAMES =
      List.of(
          "password",
          "id; DROP TABLE customers",
          "*",
          "name FROM customers--",
          "id) UNION SELECT password FROM customers--",
          "\"password\"",
          "customers.password",
          "id ",
          "",
          "sqlite_master",
          "1=1 OR region");

  private static void sql(HostileCorpus c) {
    for (String v : SQL_VALUES) {
      c.add(
              I,
              "REST customers_in_region.region " + q(v) + " is bound, finds nothing",
              invoke("customers_in_region", "{\"arguments\":{\"region\":" + q(v) + "}}"))
          .ok(200)
          .audit(2)
          .excludes("secret-");
      c.add(
              I,
              "REST find_customers.where.region " + q(v) + " is bound, finds nothing",
              invoke(
                  "find_customers",
                  "{\"arguments\":{\"where\":{\"region\":"
                      + q(v.substring(0, Math.min(20, v.length())))
                      + "}}}"))
          .ok(200)
          .audit(2)
          .excludes("secret-");
    }
    for (String n : SQL_NAMES) {
      c.add(
              I,
              "REST find_customers.columns " + q(n),
              invoke(
                  "find_customers",
                  "{\"arguments\":{\"columns\":[" + q(n) + "],\"where\":{\"region\":\"eu\"}}}"))
          .problem(502, "upstream-rejected")
          .audit(2)
          .excludes("secret-");
      c.add(
              I,
              "REST find_customers.where name " + q(n),
              invoke(
                  "find_customers",
                  "{\"arguments\":{\"where\":{\"region\":\"eu\"," + q(n) + ":\"x\"}}}"))
          .problem(502, "upstream-rejected")
          .audit(2)
          .excludes("secret-");
    }
    c.add(
            I,
            "REST find_customers.columns ID matches the allowlisted id, allowed",
            invoke(
                "find_customers",
                "{\"arguments\":{\"columns\":[\"ID\"],\"where\":{\"region\":\"eu\"}}}"))
        .ok(200)
        .audit(2)
        .excludes("secret-");
    c.add(
            I,
            "REST customers_in_region.region of 201 characters",
            invoke("customers_in_region", "{\"arguments\":{\"region\":\"{r*201}\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST find_customers.limit 0",
            invoke("find_customers", "{\"arguments\":{\"where\":{\"region\":\"eu\"},\"limit\":0}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST find_customers.limit as a string",
            invoke(
                "find_customers",
                "{\"arguments\":{\"where\":{\"region\":\"eu\"},\"limit\":\"1; DROP TABLE customers\"}}"))
        .problem(422, "invalid-arguments")
        .audit(1);
    c.add(
            I,
            "REST find_customers in the EU, allowed",
            invoke("find_customers", "{\"arguments\":{\"where\":{\"region\":\"eu\"}}}"))
        .ok(200)
        .audit(2);
  }
}
