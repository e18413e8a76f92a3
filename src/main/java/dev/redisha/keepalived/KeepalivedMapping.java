package dev.redisha.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Maps one keepalived {@code vrrp_instance} and its scripts to a redis-ha node (see
 * docs/migrating.md). Every option of the file is either carried over, with the line it came
 * from, or listed as a leftover with the reason; nothing is dropped silently.
 */
public final class KeepalivedMapping {
  /**
   * What the command line adds to the keepalived file.
   *
   * @param scriptsDir where the scripts are, found by their file names; empty: at the paths the
   *     config names
   * @param peerAddresses the other nodes' addresses, when the config has no unicast_peer
   */
  public record Options(
      Optional<Path> scriptsDir,
      Optional<String> instance,
      Optional<String> group,
      Optional<String> nodeId,
      Optional<String> address,
      List<String> peerAddresses,
      Optional<String> peerId) {}

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final String WHY_NOT_NEEDED_MONITOR = "not needed: the agent probes its Redis itself"
      + " (health.interval_ms, 50 ms by default) and the peer's Redis directly; a failed probe is"
      + " evidence, not a reason to kill anything";

  private final Path file;
  private final Options options;
  private final List<String> sources = new ArrayList<>();
  private final List<ImportedNode.Leftover> leftovers = new ArrayList<>();
  private final Map<Path, Optional<ScriptFacts>> scripts = new LinkedHashMap<>();

  private KeepalivedMapping(Path file, Options options) {
    this.file = file;
    this.options = options;
  }

  /** Parses {@code file} and maps it. */
  public static ImportedNode map(Path file, Options options) throws KeepalivedConfigException {
    return new KeepalivedMapping(file, options).map(KeepalivedParser.parse(file));
  }

  private ImportedNode map(List<Statement> top) throws KeepalivedConfigException {
    Statement instance = instance(top);
    for (Statement s : top) {
      switch (s.keyword()) {
        case "vrrp_instance" -> {
          if (s != instance) {
            leftoverBlock(s, "another VRRP instance: import it with --instance " + s.arg().orElse("?")
                + " into a second node YAML (one redis-ha group per Redis pair)");
          }
        }
        case "global_defs" -> globalDefs(s);
        case "vrrp_script" -> vrrpScript(s);
        case "include" -> leftover(s, "not followed: import the included file, or paste its"
            + " vrrp_instance into this one");
        case "virtual_server", "virtual_server_group" -> leftoverBlock(s,
            "LVS load balancing has no redis-ha equivalent; keep keepalived for it (without the"
                + " Redis VIP) or use the proxy endpoint");
        case "vrrp_sync_group" -> leftoverBlock(s, "one redis-ha group moves one Redis pair; there is"
            + " nothing to synchronise with");
        default -> leftoverBlock(s, "no redis-ha equivalent");
      }
    }
    return instance(instance);
  }

  private Statement instance(List<Statement> top) throws KeepalivedConfigException {
    List<Statement> all = top.stream().filter(s -> s.keyword().equals("vrrp_instance")).toList();
    if (all.isEmpty()) {
      throw new KeepalivedConfigException(file, "no vrrp_instance block; expected the VRRP instance"
          + " that moves the Redis VIP");
    }
    String names = all.stream().map(s -> s.arg().orElse("?") + " (line " + s.line() + ")")
        .collect(Collectors.joining(", "));
    if (options.instance().isPresent()) {
      return all.stream().filter(s -> s.arg().equals(options.instance())).findFirst()
          .orElseThrow(() -> new KeepalivedConfigException(file, "no vrrp_instance "
              + options.instance().get() + "; the file has " + names));
    }
    if (all.size() > 1) {
      throw new KeepalivedConfigException(file, "several vrrp_instance blocks: " + names
          + "; choose the one for Redis with --instance NAME");
    }
    Statement only = all.get(0);
    if (only.block().isEmpty()) {
      throw new KeepalivedConfigException(file, only.line(), "vrrp_instance has no { } block");
    }
    return only;
  }

  private void globalDefs(Statement s) {
    for (Statement c : s.children()) {
      if (c.keyword().equals("router_id")) {
        leftover(c, "not needed: node ids come from the nodes' addresses (or --node-id)");
      } else if (c.keyword().startsWith("notification_email") || c.keyword().startsWith("smtp_")) {
        leftover(c, "redis-ha sends no mail; alert on its /metrics or events.jsonl instead");
      } else {
        leftoverBlock(c, "no redis-ha equivalent");
      }
    }
  }

  /** Not carried over, but its script is read: the seed's monitor holds the Redis password. */
  private void vrrpScript(Statement s) {
    s.children().stream().filter(c -> c.keyword().equals("script")).forEach(c ->
        c.arg().map(KeepalivedMapping::commandPath).map(Path::of).ifPresent(this::script));
    leftoverBlock(s, WHY_NOT_NEEDED_MONITOR);
  }

  private ImportedNode instance(Statement instance)
      throws KeepalivedConfigException {
    Optional<String> own = Optional.empty();
    int priority = 100;
    long advertMs = 1000;
    boolean preempt = true;
    // keepalived preempts at once; redis-ha's default waits for the replica to stay in sync a
    // second first, so a node that comes and goes does not take the role back each time.
    long preemptDelayMs = 1000;
    Optional<String> device = Optional.empty();
    Optional<Integer> garpRepeat = Optional.empty();
    List<String> unicastPeers = new ArrayList<>();
    List<Statement> vips = new ArrayList<>();
    Map<String, Statement> notify = new LinkedHashMap<>();
    Optional<Statement> genericNotify = Optional.empty();
    for (Statement s : instance.children()) {
      switch (s.keyword()) {
        case "state" -> leftover(s, "not needed: the first master is the node whose Redis has the"
            + " data and, among those, the highest priority");
        case "interface" -> {
          device = Optional.of(one(s, "a network interface name"));
          sources.add("endpoints.vip.interface: " + device.get() + " (interface, line " + s.line() + ")");
        }
        case "virtual_router_id" -> leftover(s, "not needed: adverts carry the group name and are"
            + " authenticated with the group key");
        case "mcast_src_ip", "unicast_src_ip" -> {
          own = Optional.of(ipv4(s, one(s, "an IPv4 address")));
          sources.add("this node's address: " + own.get() + " (" + s.keyword() + ", line " + s.line() + ")");
        }
        case "unicast_peer" -> {
          for (Statement p : s.children()) {
            unicastPeers.add(ipv4(p, p.keyword()));
            sources.add("peer " + p.keyword() + " (unicast_peer, line " + p.line() + ")");
            p.args().forEach(a -> leftover(p, "unicast_peer option " + a + ": no redis-ha equivalent"));
          }
        }
        case "priority" -> {
          priority = integer(s, 1, 255, "an integer from 1 to 255");
          sources.add("priority: " + priority + " (line " + s.line() + ")");
        }
        case "advert_int" -> {
          advertMs = advertMs(s);
          sources.add("coordination.advert_interval_ms: " + advertMs + " (advert_int, line " + s.line()
              + "; redis-ha's default is 100)");
        }
        case "nopreempt" -> {
          preempt = false;
          sources.add("coordination.preempt: false (nopreempt, line " + s.line() + ")");
        }
        case "preempt" -> sources.add("coordination.preempt: true (preempt, line " + s.line() + ")");
        case "preempt_delay" -> {
          preemptDelayMs = integer(s, 0, 3600, "a number of seconds from 0 to 3600") * 1000L;
          sources.add("coordination.preempt_delay_ms: " + preemptDelayMs + " (preempt_delay, line "
              + s.line() + ")");
        }
        case "authentication" -> {
          // The VRRP password (auth_pass) goes nowhere: it travels in clear text and is too short.
          leftoverBlock(s, "not needed: adverts are authenticated with HMAC-SHA256 and the group key"
              + " (coordination.key_file, a new random key); the VRRP password is not reused");
        }
        case "track_script" -> leftoverBlock(s, WHY_NOT_NEEDED_MONITOR);
        case "virtual_ipaddress" -> vips.addAll(s.children());
        case "notify_master", "notify_backup", "notify_fault", "notify_stop" -> notify.put(s.keyword(), s);
        case "notify" -> genericNotify = Optional.of(s);
        case "garp_master_repeat" -> garpRepeat = Optional.of(integer(s, 1, 100, "an integer from 1 to 100"));
        case "track_interface" -> leftoverBlock(s, "redis-ha does not watch interfaces: a node cut off"
            + " loses its peer's adverts and the peer's probes of its Redis fail, which is what counts");
        case "smtp_alert" -> leftover(s, "redis-ha sends no mail; alert on its /metrics or events.jsonl");
        default -> leftoverBlock(s, "no redis-ha equivalent");
      }
    }
    Optional<ImportedNode.Vip> vip = vip(vips, device, garpRepeat, instance);
    Map<String, ImportedNode.Hook> hooks = hooks(notify, genericNotify);
    if (options.scriptsDir().isPresent()) {
      scanScriptsDir(options.scriptsDir().get());
    }
    String address = ownAddress(own, instance);
    List<String> peerAddresses = peerAddresses(unicastPeers, address, vip);
    int port = redisPort();
    Optional<ImportedNode.Password> password = password();
    String group = group(instance);
    String nodeId = options.nodeId().orElse(idOf(address));
    List<ImportedNode.Peer> peers = new ArrayList<>();
    for (int i = 0; i < peerAddresses.size(); i++) {
      String id = i == 0 && options.peerId().isPresent() ? options.peerId().get() : idOf(peerAddresses.get(i));
      peers.add(new ImportedNode.Peer(id, peerAddresses.get(i)));
    }
    return new ImportedNode(group, nodeId, priority, address, port, peers, advertMs, preempt,
        preemptDelayMs, vip, hooks, password, sources, leftovers);
  }

  private Optional<ImportedNode.Vip> vip(List<Statement> entries, Optional<String> device,
      Optional<Integer> garpRepeat, Statement instance) throws KeepalivedConfigException {
    Optional<ImportedNode.Vip> vip = Optional.empty();
    for (Statement e : entries) {
      if (vip.isPresent()) {
        leftover(e, "a second VIP: redis-ha moves one address per group");
        continue;
      }
      String[] parts = e.keyword().split("/", 2);
      if (!IPV4.matcher(parts[0]).matches()) {
        leftover(e, "not an IPv4 address: redis-ha's VIP endpoint moves one IPv4 address");
        continue;
      }
      String ip = ipv4(e, parts[0]);
      // keepalived puts an address without a prefix on the interface as a /32.
      int prefix = parts.length == 2 ? prefixLength(e, parts[1]) : 32;
      Optional<String> dev = device;
      List<String> args = e.args();
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).equals("dev") && i + 1 < args.size()) {
          dev = Optional.of(args.get(++i));
        } else {
          leftover(e, "VIP option " + args.get(i) + ": redis-ha adds the address with only its prefix"
              + " and interface");
        }
      }
      if (dev.isEmpty()) {
        throw new KeepalivedConfigException(file, e.line(), "the VIP " + e.keyword() + " has no"
            + " interface: the vrrp_instance has no interface line and the address no \"dev\"");
      }
      sources.add("endpoints.vip.address: " + ip + "/" + prefix + " (virtual_ipaddress, line " + e.line()
          + (parts.length == 2 ? ")" : "; no prefix given, so /32 as keepalived does)"));
      vip = Optional.of(new ImportedNode.Vip(ip, prefix, dev.get(), garpRepeat));
    }
    if (vip.isEmpty()) {
      sources.add("no VIP in the vrrp_instance of line " + instance.line() + ": no endpoint written;"
          + " add endpoints.proxy or endpoints.vip for clients");
    }
    garpRepeat.ifPresent(n -> sources.add("endpoints.vip.arping_count: " + n + " (garp_master_repeat)"));
    return vip;
  }

  private Map<String, ImportedNode.Hook> hooks(Map<String, Statement> notify, Optional<Statement> generic)
      throws KeepalivedConfigException {
    Map<String, ImportedNode.Hook> hooks = new LinkedHashMap<>();
    for (String name : List.of("notify_master", "notify_backup", "notify_fault", "notify_stop")) {
      Statement s = notify.get(name);
      if (s == null && generic.isEmpty()) {
        continue;
      }
      Statement from = s != null ? s : generic.get();
      String command = one(from, "a script path");
      List<String> words = List.of(command.strip().split("\\s+"));
      if (words.size() > 1 || from.args().size() > 1) {
        leftover(from, "the script is given arguments or a user: a redis-ha hook is a path, run as"
            + " user redis-ha with \"GROUP <group> <STATE>\"; wrap the call in a script");
        continue;
      }
      Path script = located(Path.of(words.get(0)));
      hooks.put(name, new ImportedNode.Hook(script, hookTrouble(script)));
      sources.add("hooks." + name + ": " + script + " (" + from.keyword() + ", line " + from.line() + ")");
    }
    return hooks;
  }

  /** Why a notify script must not (or cannot) be an active hook, if so. */
  private Optional<String> hookTrouble(Path script) {
    Optional<ScriptFacts> facts = script(script);
    if (!Files.isRegularFile(script)) {
      return Optional.of(script + " does not exist here; copy it (or give --scripts DIR), then enable the hook");
    }
    if (facts.isPresent() && !facts.get().roleChanges().isEmpty()) {
      ScriptFacts.Found first = facts.get().roleChanges().get(0);
      return Optional.of("it runs \"" + first.value() + "\" (" + facts.get().at(first.line()) + "): the"
          + " agent changes Redis' role and the VIP itself, and this script would undo or delay it");
    }
    if (!Files.isExecutable(script)) {
      return Optional.of(script + " is not executable; chmod +x it, then enable the hook");
    }
    return Optional.empty();
  }

  private Optional<ScriptFacts> script(Path path) {
    Path located = located(path);
    return scripts.computeIfAbsent(located, ScriptFacts::read);
  }

  private Path located(Path path) {
    return options.scriptsDir().map(d -> d.resolve(path.getFileName()))
        .orElse(path).toAbsolutePath().normalize();
  }

  /** Every script in the directory tells about the setup, also those this node's config does not name. */
  private void scanScriptsDir(Path dir) throws KeepalivedConfigException {
    if (!Files.isDirectory(dir)) {
      throw new KeepalivedConfigException(file, "--scripts " + dir + " is not a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      files.sorted().filter(Files::isRegularFile).forEach(this::script);
    } catch (IOException e) {
      throw new KeepalivedConfigException(file, "cannot list --scripts " + dir + ": " + e);
    }
  }

  private List<ScriptFacts> knownScripts() {
    return scripts.values().stream().flatMap(Optional::stream).toList();
  }

  private String ownAddress(Optional<String> own, Statement instance) throws KeepalivedConfigException {
    if (options.address().isPresent()) {
      sources.add("this node's address: " + options.address().get() + " (--address)");
      return options.address().get();
    }
    return own.orElseThrow(() -> new KeepalivedConfigException(file, instance.line(), "the vrrp_instance"
        + " has no mcast_src_ip or unicast_src_ip, so this node's address is unknown; give --address IP"));
  }

  /**
   * The config names its peers only with unicast_peer; with multicast (the seed's) they come from
   * --peer, or from the one address the scripts name besides this node's and the VIP.
   */
  private List<String> peerAddresses(List<String> unicast, String own, Optional<ImportedNode.Vip> vip)
      throws KeepalivedConfigException {
    if (!options.peerAddresses().isEmpty()) {
      options.peerAddresses().forEach(p -> sources.add("peer " + p + " (--peer)"));
      return options.peerAddresses();
    }
    if (!unicast.isEmpty()) {
      return unicast;
    }
    Map<String, String> seen = new LinkedHashMap<>();
    for (ScriptFacts f : knownScripts()) {
      for (ScriptFacts.Found a : f.addresses()) {
        boolean other = !a.value().equals(own) && !vip.map(ImportedNode.Vip::address).orElse("").equals(a.value())
            && !a.value().startsWith("127.") && !a.value().equals("0.0.0.0");
        if (other) {
          seen.putIfAbsent(a.value(), f.at(a.line()));
        }
      }
    }
    if (seen.size() == 1) {
      Map.Entry<String, String> only = seen.entrySet().iterator().next();
      sources.add("peer " + only.getKey() + " (named in " + only.getValue() + "; the config uses multicast"
          + " and names no peer: check it, or give --peer IP)");
      return List.of(only.getKey());
    }
    String found = seen.isEmpty() ? "the scripts name no other address"
        : "the scripts name several other addresses: " + String.join(", ", seen.keySet());
    throw new KeepalivedConfigException(file, "the config names no peer (no unicast_peer) and " + found
        + "; give the other node's address with --peer IP");
  }

  private int redisPort() {
    Set<String> ports = new LinkedHashSet<>();
    String first = null;
    for (ScriptFacts f : knownScripts()) {
      for (ScriptFacts.Found p : f.ports()) {
        ports.add(p.value());
        first = first == null ? f.at(p.line()) : first;
      }
    }
    if (ports.isEmpty()) {
      sources.add("redis.port: 6379 (no redis-cli -p in the scripts: Redis' default)");
      return 6379;
    }
    String port = ports.iterator().next();
    sources.add("redis.port: " + port + " (redis-cli -p, " + first + ")"
        + (ports.size() > 1 ? "; the scripts also use " + String.join(", ", ports) + ": check it" : ""));
    return Integer.parseInt(port);
  }

  private Optional<ImportedNode.Password> password() {
    Map<String, String> places = new LinkedHashMap<>();
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (ScriptFacts f : knownScripts()) {
      for (ScriptFacts.Found p : f.passwords()) {
        values.putIfAbsent(p.value(), p.value().getBytes(StandardCharsets.UTF_8));
        places.putIfAbsent(p.value(), f.at(p.line()));
      }
      for (ScriptFacts.Found p : f.unreadablePasswords()) {
        sources.add("a redis-cli password given by a shell variable in " + f.at(p.line())
            + ": not read (write it to the password file yourself if it is the one)");
      }
    }
    if (values.isEmpty()) {
      sources.add("redis.password_file: not written (no redis-cli -a in the scripts)");
      return Optional.empty();
    }
    if (values.size() > 1) {
      // Which one is Redis' is not for a guess; none is printed.
      sources.add("redis.password_file: not written: the scripts use " + values.size() + " different"
          + " redis-cli passwords (" + String.join(", ", places.values()) + "); write the right one yourself");
      return Optional.empty();
    }
    String value = values.keySet().iterator().next();
    return Optional.of(new ImportedNode.Password(values.get(value), places.get(value)));
  }

  private String group(Statement instance) {
    if (options.group().isPresent()) {
      return options.group().get();
    }
    String name = instance.arg().orElse("redis").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-")
        .replaceAll("^[^a-z0-9]+", "");
    String group = ID.matcher(name).matches() ? name : "redis";
    sources.add("group: " + group + " (vrrp_instance " + instance.arg().orElse("") + ", line " + instance.line()
        + "; the same on the other node when imported from its config)");
    return group;
  }

  /** A node id both nodes' imports agree on without talking: its address, dots as dashes. */
  private static String idOf(String address) {
    return address.replace('.', '-');
  }

  private static String commandPath(String command) {
    return command.strip().split("\\s+")[0];
  }

  private void leftover(Statement s, String reason) {
    leftovers.add(new ImportedNode.Leftover(s.keyword(), s.line(), reason));
  }

  /** The statement with the reason, and everything in its block as part of it. */
  private void leftoverBlock(Statement s, String reason) {
    leftover(s, reason);
    String owner = s.keyword() + s.arg().map(a -> " " + a).orElse("");
    for (Statement c : s.children()) {
      leftoverBlock(c, "part of " + owner + " (line " + s.line() + ")");
    }
  }

  private String one(Statement s, String expected) throws KeepalivedConfigException {
    if (s.args().isEmpty()) {
      throw new KeepalivedConfigException(file, s.line(), s.keyword() + " needs a value: " + expected);
    }
    return s.args().get(0);
  }

  private int integer(Statement s, int min, int max, String expected) throws KeepalivedConfigException {
    String value = one(s, expected);
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new KeepalivedConfigException(file, s.line(), s.keyword() + " must be " + expected + ", got \""
        + value + "\"");
  }

  /** keepalived takes seconds, fractions too (advert_int 0.5). */
  private long advertMs(Statement s) throws KeepalivedConfigException {
    String value = one(s, "seconds");
    String expected = "a number of seconds from 0.01 to 10 (redis-ha's advert_interval_ms range)";
    try {
      double seconds = Double.parseDouble(value);
      long ms = Math.round(seconds * 1000);
      if (ms >= 10 && ms <= 10_000 && value.matches("\\d+(\\.\\d+)?")) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new KeepalivedConfigException(file, s.line(), "advert_int must be " + expected + ", got \"" + value + "\"");
  }

  private String ipv4(Statement s, String value) throws KeepalivedConfigException {
    var m = IPV4.matcher(value);
    boolean ok = m.matches();
    for (int i = 1; ok && i <= 4; i++) {
      ok = Integer.parseInt(m.group(i)) <= 255;
    }
    if (!ok) {
      throw new KeepalivedConfigException(file, s.line(), s.keyword() + ": expected an IPv4 address, got \""
          + value + "\"");
    }
    return value;
  }

  private int prefixLength(Statement s, String value) throws KeepalivedConfigException {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0 && n <= 32) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new KeepalivedConfigException(file, s.line(), "the VIP's prefix length must be 0 to 32, got \""
        + value + "\"");
  }
}
