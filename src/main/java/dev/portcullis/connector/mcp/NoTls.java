package dev.portcullis.connector.mcp;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context given to the HTTP client of an upstream whose URL is {@code http://}: one that
 * trusts no server, so it can never complete a handshake.
 *
 * <p>The JDK's HTTP client builds a TLS context when it is built, the JVM's default one unless
 * given another, and the default reads and parses the JDK's trust store: about a tenth of a second
 * of CPU on the upstream listing that runs beside a gateway's first calls (BENCHMARKS.md, section
 * 9). A plain-HTTP upstream never uses it (its client follows no redirects), so it gets this one,
 * which reads no trust store; should TLS ever be attempted with it, it fails closed.
 */
final class NoTls {
  private NoTls() {}

  static SSLContext context() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustsNoServer()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no TLS context: " + e.getMessage(), e);
    }
  }

  static final class TrustsNoServer implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a plain-HTTP upstream's client trusts no certificate");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a plain-HTTP upstream's client trusts no certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
