package dev.portcullis.testing;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

/**
 * A real SMTP peer for tests: GreenMail speaking plain SMTP and implicit TLS (with its own
 * self-signed certificate, which no client trusts) on free ports, one server for the test class.
 */
public final class MailServers {
  private MailServers() {}

  /** Plain SMTP ({@code getSmtp()}) and SMTPS ({@code getSmtps()}), kept for the whole class. */
  public static GreenMailExtension plainAndTls() {
    ServerSetup[] setups = {
      ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.SMTPS.dynamicPort()
    };
    for (ServerSetup s : setups) {
      s.setServerStartupTimeout(30_000);
    }
    return new GreenMailExtension(setups).withPerMethodLifecycle(false);
  }
}
