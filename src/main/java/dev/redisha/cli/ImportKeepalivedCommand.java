package dev.redisha.cli;

import dev.redisha.keepalived.ImportedNode;
import dev.redisha.keepalived.KeepalivedConfigException;
import dev.redisha.keepalived.KeepalivedMapping;
import dev.redisha.keepalived.NodeYaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code redis-ha import-keepalived keepalived.conf}: the node YAML of a keepalived + scripts
 * node (docs/migrating.md), its Redis password in a 0600 file, a group key, and a list of what
 * was not carried over. Nothing secret is printed.
 */
@Command(name = "import-keepalived", description = "Write a node config from a keepalived.conf and"
    + " its scripts: VIP, interface, priority, advert interval, preemption, notify scripts as hooks,"
    + " the Redis password of the scripts' redis-cli -a into a 0600 file (never into the YAML), a"
    + " new group key; then list every keepalived option not carried over, with its line."
    + " Exit 1 if the config cannot be read or mapped.")
final class ImportKeepalivedCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KEEPALIVED_CONF")
  Path config;

  @Option(names = "--scripts", paramLabel = "DIR",
      description = "where the config's scripts are (found by file name); default: the paths it names")
  Optional<Path> scripts;

  @Option(names = "--out", paramLabel = "FILE", description = "the node YAML to write (default: node.yaml)")
  Path out = Path.of("node.yaml");

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "where the Redis password goes (default: redis.pass beside --out)")
  Optional<Path> passwordFile;

  @Option(names = "--key-file", paramLabel = "FILE", description = "the group key; kept if it exists"
      + " (a copy of the other node's), else made (default: group.key beside --out)")
  Optional<Path> keyFile;

  @Option(names = "--instance", paramLabel = "NAME", description = "the vrrp_instance to import, if several")
  Optional<String> instance;

  @Option(names = "--peer", paramLabel = "IP", description = "the other node's address, when the config"
      + " has no unicast_peer (repeat for more)")
  List<String> peers = new ArrayList<>();

  @Option(names = "--address", paramLabel = "IP", description = "this node's address, when the config"
      + " has no mcast_src_ip or unicast_src_ip")
  Optional<String> address;

  @Option(names = "--group", description = "the group name (default: from the vrrp_instance name)")
  Optional<String> group;

  @Option(names = "--node-id", description = "this node's id (default: its address, dots as dashes)")
  Optional<String> nodeId;

  @Option(names = "--peer-id", description = "the peer's id (default: its address, dots as dashes)")
  Optional<String> peerId;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "state_dir to write (default: none, so"
      + " /var/lib/redis-ha/<node_id>)")
  Optional<Path> stateDir;

  @Option(names = "--force", description = "replace --out and the password file if they exist")
  boolean force;

  @Override
  public Integer call() {
    ImportedNode node;
    try {
      node = KeepalivedMapping.map(config, new KeepalivedMapping.Options(
          scripts, instance, group, nodeId, address, peers, peerId));
    } catch (KeepalivedConfigException e) {
      System.err.println("import-keepalived: " + e.getMessage());
      return 1;
    }
    Path dir = out.toAbsolutePath().getParent();
    Path key = keyFile.orElse(dir.resolve("group.key"));
    Optional<Path> pass = node.password().map(p -> passwordFile.orElse(dir.resolve("redis.pass")));
    try {
      if (Files.exists(out) && !force) {
        System.err.println("import-keepalived: " + out + " exists; give --force to replace it");
        return 1;
      }
      List<String> wrote = new ArrayList<>();
      if (pass.isPresent()) {
        writeSecret(pass.get(), node.password().get().value(), force);
        wrote.add("wrote " + pass.get() + " (0600): the Redis password, from the redis-cli -a in "
            + node.password().get().foundAt());
      }
      if (Files.exists(key)) {
        wrote.add("kept " + key + ": an existing group key (it must be the same file on every node)");
      } else {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        writeSecret(key, (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII), false);
        wrote.add("wrote " + key + " (0600): a new group key; copy this file to the other node and give"
            + " it there with --key-file (both agents must have the same key)");
      }
      String yaml = NodeYaml.write(node, config.toAbsolutePath().normalize(),
          new NodeYaml.Files(relativeToYaml(dir, key), pass.map(p -> relativeToYaml(dir, p)), stateDir));
      writeAtomically(out, yaml.getBytes(StandardCharsets.UTF_8));
      wrote.add(0, "wrote " + out + ": group " + node.group() + ", node " + node.nodeId() + ", priority "
          + node.priority() + ", peer(s) " + String.join(", ", node.peers().stream()
              .map(p -> p.nodeId() + " at " + p.address()).toList())
          + node.vip().map(v -> ", VIP " + v.address() + "/" + v.prefixLength() + " on " + v.device()).orElse(""));
      wrote.forEach(System.out::println);
    } catch (IOException e) {
      System.err.println("import-keepalived: " + e.getMessage());
      return 1;
    }
    report(node);
    System.out.println("next: redis-ha check-config " + out + "; then the cut-over in docs/migrating.md");
    return 0;
  }

  private void report(ImportedNode node) {
    System.out.println("carried over:");
    node.sources().forEach(s -> System.out.println("  " + s));
    for (Map.Entry<String, ImportedNode.Hook> h : new java.util.TreeMap<>(node.hooks()).entrySet()) {
      h.getValue().disabledBecause().ifPresent(why ->
          System.out.println("hook " + h.getKey() + " written commented out: " + why));
    }
    if (node.leftovers().isEmpty()) {
      System.out.println("not carried over: nothing");
      return;
    }
    System.out.println("not carried over (" + node.leftovers().size() + "):");
    String name = config.getFileName().toString();
    for (ImportedNode.Leftover l : node.leftovers()) {
      System.out.println("  " + name + ":" + l.line() + ": " + l.option() + ": " + l.reason());
    }
  }

  /** A path the YAML names relative to its own directory when it lies there (the loader resolves it so). */
  private static Path relativeToYaml(Path yamlDir, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    return abs.getParent().equals(yamlDir.normalize()) ? abs.getFileName() : abs;
  }

  /**
   * Created 0600 from the start (not chmod-ed after), so the secret is never readable by others,
   * not even for a moment.
   */
  private static void writeSecret(Path file, byte[] value, boolean replace) throws IOException {
    if (Files.exists(file) && !replace) {
      throw new FileAlreadyExistsException(file + " exists; give --force to replace it, or"
          + " --password-file for another path");
    }
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".import-", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeAtomically(Path file, byte[] value) throws IOException {
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".import-", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    try {
      Files.write(tmp, value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
