package dev.redisha.endpoint.proxy;

/** Every proxy test again on the io_uring transport, which operators may choose (endpoints.proxy.transport). */
class RedisProxyOnIoUringTest extends RedisProxyTest {
  @Override
  NetTransport transport() {
    return NetTransport.IO_URING;
  }
}
