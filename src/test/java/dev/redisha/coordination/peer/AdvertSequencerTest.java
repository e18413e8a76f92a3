package dev.redisha.coordination.peer;

import static dev.redisha.coordination.peer.TestAdverts.advert;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdvertSequencerTest {
  @Test
  void stampsBootSeqAndSendTimeAndKeepsTheRest() {
    AtomicLong clock = new AtomicLong(5_000);
    AdvertSequencer sequencer = new AdvertSequencer(clock::get);
    Advert content = advert("node-a", -1, -1, -1);

    clock.set(5_100);
    Advert first = sequencer.stamp(content);
    clock.set(5_200);
    Advert second = sequencer.stamp(content);

    assertEquals(5_000, sequencer.bootId());
    assertEquals(advert("node-a", 5_000, 1, 5_100), first);
    assertEquals(advert("node-a", 5_000, 2, 5_200), second);
  }

  @Test
  void aLaterBootOutranksEveryAdvertOfAnEarlierOne() {
    AtomicLong clock = new AtomicLong(5_000);
    AdvertSequencer before = new AdvertSequencer(clock::get);
    Advert old = null;
    for (int i = 0; i < 1000; i++) {
      old = before.stamp(advert("node-a", 0, 0, 0));
    }
    clock.set(9_000);
    Advert fresh = new AdvertSequencer(clock::get).stamp(advert("node-a", 0, 0, 0));

    ReplayGuard guard = new ReplayGuard("node-b", 1, Set.of("node-a"), Duration.ofHours(1), clock::get);
    java.net.InetSocketAddress from = new java.net.InetSocketAddress("127.0.0.1", 7401);
    Advert echoing = fresh.withHeardBoots(java.util.Map.of("node-b", 1L));
    assertEquals(Verdict.accept(echoing), guard.admit(echoing, from));
    assertEquals(Verdict.reject(RejectReason.REPLAYED), guard.admit(old.withHeardBoots(echoing.heardBoots()), from));
  }
}
