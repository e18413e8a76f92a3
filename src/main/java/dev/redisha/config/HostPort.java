package dev.redisha.config;

/** A host and a TCP/UDP port, as written in the config ("127.0.0.1:6379"). */
public record HostPort(String host, int port) {

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
