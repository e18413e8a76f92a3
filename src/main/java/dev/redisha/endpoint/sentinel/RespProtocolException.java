package dev.redisha.endpoint.sentinel;

/**
 * Input that is not a Redis request. The connection that sent it gets Redis' "Protocol error"
 * reply and is closed, as redis-server does.
 */
final class RespProtocolException extends RuntimeException {
  RespProtocolException(String message) {
    super(message, null, false, false);
  }
}
