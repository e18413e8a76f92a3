package dev.redisha.redis;

import dev.redisha.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a TLS socket factory from the PEM files Redis itself uses ({@code tls-ca-cert-file},
 * {@code tls-cert-file}, {@code tls-key-file}), so operators need no Java keystore.
 */
final class TlsSocketFactories {
  private TlsSocketFactories() {}

  static SSLSocketFactory fromPem(TlsConfig tls) {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : readCertificates(x509, tls.caFile())) {
        trust.setCertificateEntry("ca" + i++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
        KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
        identity.load(null, null);
        Certificate[] chain =
            readCertificates(x509, tls.certFile().get()).toArray(new Certificate[0]);
        identity.setKeyEntry("client", readKey(tls.keyFile().get()), new char[0], chain);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up TLS towards Redis: " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> readCertificates(CertificateFactory f, Path p)
      throws Exception {
    try (InputStream in = Files.newInputStream(p)) {
      return f.generateCertificates(in);
    }
  }

  /** Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), RSA or EC. */
  private static PrivateKey readKey(Path p) throws IOException {
    String pem = Files.readString(p);
    String base64 =
        pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (Exception tryNext) {
        // the file does not say which algorithm; the next one may fit
      }
    }
    throw new IOException(p + ": not an unencrypted PKCS#8 RSA or EC private key");
  }
}
