package dev.redisha.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the PEM files operators already have (as for Redis' own TLS), so no Java keystore is
 * needed. Used both to check a config ({@code check-config} and {@code run} reject a key that
 * does not belong to its certificate before anything listens) and to build the TLS contexts.
 */
public final class PemFiles {
  private PemFiles() {}

  /** A server identity: the chain of {@code certFile} and the key of {@code keyFile}. */
  public static KeyManagerFactory keyManagers(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new GeneralSecurityException(keyFile + " is not the private key of the first certificate in " + certFile);
    }
    KeyStore identity = KeyStore.getInstance(KeyStore.getDefaultType());
    identity.load(null, null);
    identity.setKeyEntry("api", key, new char[0], chain.toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(identity, new char[0]);
    return kmf;
  }

  /** A client context trusting the certificates of {@code caFile}. */
  public static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate ca : certificates(caFile)) {
      trust.setCertificateEntry("ca" + i++, ca);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** Every certificate in a PEM file; at least one. */
  public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : x509.generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException(file + " holds no PEM certificate");
    }
    return out;
  }

  /** Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), RSA or EC, as {@code openssl genpkey} writes it. */
  public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new GeneralSecurityException(file + " is not an unencrypted PKCS#8 PEM key (\"BEGIN PRIVATE KEY\");"
          + " convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
    }
    String base64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----"))
        .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException(file + " holds a PEM block that is not base64");
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException tryNext) {
        // the PEM header does not say which algorithm; the next one may fit
      }
    }
    throw new GeneralSecurityException(file + " is not an RSA or EC private key");
  }

  // A signature made with the key verifies with the certificate's public key only if they are a pair.
  private static boolean matches(PrivateKey key, PublicKey certificateKey) throws GeneralSecurityException {
    if (!key.getAlgorithm().equals(certificateKey.getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "redis-ha key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(probe);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance(algorithm);
    verify.initVerify(certificateKey);
    verify.update(probe);
    return verify.verify(signature);
  }
}
