package dev.redisha.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.redisha.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How views reach the endpoints around a planned handover. The VIP endpoint takes the address
 * when a view says this node is master and it does not hold it; a handover releases it before
 * the old master's Redis is paused, so a called-off handover must let the next master view
 * through, although it equals the last one, or the master's host stays without its VIP.
 */
class EndpointsTest {
  private static final MasterView LOCAL_MASTER = new MasterView(3, Optional.of("a"),
      Optional.of(new HostPort("10.0.0.1", 6379)), List.of(new HostPort("10.0.0.2", 6379)), true);

  /** Records the views it is given, as the VIP endpoint acts on them. */
  private static final class RecordingEndpoint implements Endpoint {
    final List<MasterView> views = new ArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void update(MasterView view) {
      views.add(view);
    }

    @Override
    public void close() {}
  }

  @Test
  void afterACalledOffHandoverTheUnchangedMasterViewReachesTheEndpointsAgain() {
    RecordingEndpoint e = new RecordingEndpoint();
    Endpoints endpoints = new Endpoints(List.of(e));
    endpoints.publish(LOCAL_MASTER);
    endpoints.prepareHandover("b", Duration.ofMillis(100));
    endpoints.localDemoting();
    endpoints.abortHandover();
    endpoints.publish(LOCAL_MASTER);
    assertEquals(List.of(LOCAL_MASTER, LOCAL_MASTER), e.views,
        "the master view after the called-off handover gives the endpoints (the VIP) back");
  }

  @Test
  void anUnchangedViewIsOtherwiseNotPassedOnTwice() {
    RecordingEndpoint e = new RecordingEndpoint();
    Endpoints endpoints = new Endpoints(List.of(e));
    endpoints.publish(LOCAL_MASTER);
    endpoints.publish(LOCAL_MASTER);
    assertEquals(List.of(LOCAL_MASTER), e.views);
  }
}
