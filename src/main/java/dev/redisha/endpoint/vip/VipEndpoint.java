package dev.redisha.endpoint.vip;

import dev.redisha.config.EndpointsConfig;
import dev.redisha.endpoint.Endpoint;
import dev.redisha.endpoint.MasterView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's endpoint: a virtual IP on the master's host. Taken by adding the address (netlink from
 * this process, else {@code ip addr add}; {@link VipAddress}) and announced by gratuitous ARP (from
 * a packet socket this process holds, else {@code arping -U}; {@link GratuitousArp}) so neighbours
 * update their caches at once; released before this node's Redis is demoted (in a planned
 * handover, before it is even paused), so no client reaches a demoted server through it. Adding and
 * removing the address is synchronous (well under a millisecond by netlink), and so is the first
 * announcement; the repeats run on their own thread because they take {@code count × interval}.
 */
public final class VipEndpoint implements Endpoint {
  private static final Logger log = LoggerFactory.getLogger(VipEndpoint.class);
  private static final long COMMAND_TIMEOUT_MS = 5000;
  /** How long the ip batch helper may take for one command before it is replaced. */
  private static final long HELPER_TIMEOUT_MS = 2000;

  private final EndpointsConfig.Vip vip;
  private final Consumer<String> events;
  private final ExecutorService announcer;
  private final VipAddress address;
  private final GratuitousArp arp;
  private volatile boolean held;
  private Map<String, Long> lastTake = new LinkedHashMap<>();

  /**
   * @throws IllegalStateException if the agent lacks CAP_NET_ADMIN or CAP_NET_RAW, or the
   *     interface does not exist
   */
  public VipEndpoint(EndpointsConfig.Vip vip, Consumer<String> events) {
    this.vip = vip;
    this.events = events;
    List<String> missing = new ArrayList<>();
    if (!Capabilities.has(Capabilities.CAP_NET_ADMIN)) {
      missing.add("CAP_NET_ADMIN (to add and remove the address)");
    }
    if (!Capabilities.has(Capabilities.CAP_NET_RAW)) {
      missing.add("CAP_NET_RAW (to send gratuitous ARP)");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the VIP endpoint needs " + String.join(" and ", missing)
          + "; run the agent as root or grant them (e.g. systemd AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW)");
    }
    NetCommand.Result link = NetCommand.run(List.of("ip", "link", "show", "dev", vip.device()), COMMAND_TIMEOUT_MS);
    if (!link.ok()) {
      throw new IllegalStateException("endpoints.vip.interface " + vip.device() + " not usable: " + link.output());
    }
    this.announcer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vip-announce");
      t.setDaemon(true);
      return t;
    });
    this.address = new VipAddress(vip.device(), vip.address(), vip.prefixLength(), HELPER_TIMEOUT_MS);
    // A node that is not (yet) master must not hold the VIP, e.g. after a crash while master.
    if (present()) {
      release("held at start, before this node is master");
    }
    arp = new GratuitousArp(vip.device(), vip.address());
    arp.prepare();
  }

  @Override
  public String name() {
    return "vip " + cidr() + " on " + vip.device();
  }

  /** Whether this node holds the VIP now, as far as this endpoint added it and has not removed it. */
  public boolean held() {
    return held;
  }

  /**
   * Takes the VIP when this node is master; gives it up when another node is. While nobody is
   * master (this node's Redis just crashed) it stays: connections to it are refused at once, so
   * clients retry quickly, instead of their SYNs vanishing until the new master's announcement,
   * which costs them a connect timeout. A demotion of a live Redis releases it first, through
   * {@link #localDemoting}.
   */
  @Override
  public synchronized void update(MasterView view) {
    if (view.localIsMaster() && !held) {
      take();
    } else if (!view.localIsMaster() && view.masterNode().isPresent() && (held || present())) {
      release(view.masterNode().get() + " is master of epoch " + view.epoch());
    }
  }

  @Override
  public synchronized void localDemoting() {
    if (held || present()) {
      release("this node's Redis is being demoted");
    }
  }

  private void take() {
    VipAddress.Result add = address.add();
    if (add.change() == VipAddress.Change.FAILED) {
      events.accept("could not add VIP " + cidr() + ": " + add.detail());
      log.error("could not add VIP {} on {}: {}", cidr(), vip.device(), add.detail());
      return;
    }
    long addedAt = System.nanoTime();
    held = true;
    // The first announcement goes out from this thread, at once: a hand-off to the announcer
    // thread costs a scheduling delay on a loaded host, and until the clients' neighbours hear it
    // their packets still go to the old master's host.
    if (!arp.sendFirst()) {
      arpNotSent();
    }
    lastTake = new LinkedHashMap<>(Map.of("vip_added", addedAt));
    lastTake.put("arp_1", System.nanoTime());
    events.accept("VIP " + cidr() + " added on " + vip.device());
    announcer.execute(() -> {
      repeatAnnouncement();
      // Ready for the next takeover (this node may be demoted and promoted again).
      arp.prepare();
    });
  }

  /**
   * When the last take of the address finished its steps ({@link System#nanoTime}): the address
   * added ("vip_added") and the first gratuitous ARP sent ("arp_1"); empty before the first.
   */
  public synchronized Map<String, Long> lastTake() {
    return Map.copyOf(lastTake);
  }

  /**
   * The repeats, one {@code arping -U -c 1} each, started {@code arping_interval_ms} apart after the
   * first (arping's own {@code -i} takes whole seconds only, too coarse for a sub-second
   * failover): a neighbour that missed one announcement hears the next.
   */
  private void repeatAnnouncement() {
    for (int i = 1; i < vip.arpingCount() && held; i++) {
      java.util.concurrent.locks.LockSupport.parkNanos(vip.arpingIntervalMs() * 1_000_000);
      if (held) {
        arpOnce();
      }
    }
  }

  private void arpOnce() {
    if (!arp.sendRepeat()) {
      arpNotSent();
    }
  }

  private void arpNotSent() {
    events.accept("gratuitous ARP for " + vip.address() + " could not be sent");
  }

  private void release(String why) {
    VipAddress.Result del = address.remove();
    held = false;
    if (del.change() == VipAddress.Change.DONE) {
      events.accept("VIP " + cidr() + " removed from " + vip.device() + ": " + why);
    } else if (del.change() == VipAddress.Change.FAILED) {
      log.error("could not remove VIP {} from {}: {}", cidr(), vip.device(), del.detail());
      events.accept("could not remove VIP " + cidr() + ": " + del.detail());
    }
  }

  private boolean present() {
    NetCommand.Result show = NetCommand.run(List.of("ip", "-o", "addr", "show", "dev", vip.device()), COMMAND_TIMEOUT_MS);
    return show.ok() && show.output().contains(" " + cidr() + " ");
  }

  private String cidr() {
    return vip.address() + "/" + vip.prefixLength();
  }

  @Override
  public synchronized void close() {
    if (held) {
      release("agent stopping");
    }
    announcer.shutdownNow();
    arp.close();
    address.close();
  }
}
