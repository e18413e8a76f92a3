package dev.redisha.endpoint.proxy;

/** Every proxy test again on the nio transport, the fallback where Netty's native epoll does not load. */
class RedisProxyOnNioTest extends RedisProxyTest {
  @Override
  NetTransport transport() {
    return NetTransport.NIO;
  }
}
