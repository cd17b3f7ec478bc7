package dev.portcullis.connector.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** The TLS context of a plain-HTTP upstream's client: usable to build a client, trusting nobody. */
class NoTlsTest {
  @Test
  void buildsAClientWithoutTheDefaultContext() {
    var client = java.net.http.HttpClient.newBuilder().sslContext(NoTls.context()).build();

    assertThat(client.sslContext().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void trustsNoServer() {
    var trust = new NoTls.TrustsNoServer();

    assertThat(trust.getAcceptedIssuers()).isEmpty();
    assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[0], "RSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessage("a plain-HTTP upstream's client trusts no certificate");
  }
}
