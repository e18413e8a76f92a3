package dev.redisha.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of network namespaces on one bridge, with addresses from 198.18.0.0/24 only. Every
 * namespace carries a prefix unique to this run; closing removes the namespaces and kills every
 * process started in them, by PID, whatever state the test left.
 */
final class NetnsLab implements AutoCloseable {
  final String prefix = "rha" + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(), 2)
      + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(), 2);
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static boolean toolsPresent() {
    for (String tool : List.of("ip", "arping")) {
      boolean found = false;
      for (String dir : System.getenv("PATH").split(":")) {
        found |= Files.isExecutable(Path.of(dir, tool));
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  String ns(String host) {
    return prefix + host;
  }

  /** Creates the bridge namespace and one namespace per host with eth0 at the given address. */
  void build(Map<String, String> hostAddresses) {
    String bridge = ns("br");
    sh("ip", "netns", "add", bridge);
    namespaces.add(bridge);
    sh("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
    sh("ip", "-n", bridge, "link", "set", "br0", "up");
    for (Map.Entry<String, String> h : hostAddresses.entrySet()) {
      String name = ns(h.getKey());
      sh("ip", "netns", "add", name);
      namespaces.add(name);
      String port = "p" + h.getKey();
      sh("ip", "-n", bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", name);
      sh("ip", "-n", bridge, "link", "set", port, "master", "br0", "up");
      sh("ip", "-n", name, "addr", "add", h.getValue() + "/24", "dev", "eth0");
      sh("ip", "-n", name, "link", "set", "eth0", "up");
      sh("ip", "-n", name, "link", "set", "lo", "up");
    }
  }

  /** Starts a process inside a host's namespace; output goes to {@code log}. */
  synchronized Process start(String host, List<String> command, Map<String, String> env, Path log) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command inside a host's namespace and returns its output. */
  String exec(String host, Map<String, String> env, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    full.addAll(List.of(command));
    return run(full, env);
  }

  String mac(String host) {
    String out = sh("ip", "-n", ns(host), "-o", "link", "show", "eth0");
    int i = out.indexOf("link/ether ");
    return i < 0 ? "" : out.substring(i + 11, i + 28);
  }

  /** The client's ARP entry for an address ("" if none). */
  String neighbourMac(String host, String address) {
    String out = sh("ip", "-n", ns(host), "neigh", "show", address);
    int i = out.indexOf("lladdr ");
    return i < 0 ? "" : out.substring(i + 7, i + 24);
  }

  /** PIDs of processes running in a host's namespace whose command name is {@code comm}. */
  List<Long> pids(String host, String comm) {
    List<Long> out = new ArrayList<>();
    for (String line : sh("ip", "netns", "pids", ns(host)).split("\\s+")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        String c = Files.readString(Path.of("/proc", line, "comm")).strip();
        if (c.equals(comm)) {
          out.add(Long.parseLong(line));
        }
      } catch (IOException e) {
        // gone meanwhile
      }
    }
    return out;
  }

  String sh(String... command) {
    return run(List.of(command), Map.of());
  }

  private static String run(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " timed out");
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    // Anything else still running in the namespaces (managed redis-servers) is ours too.
    for (String n : namespaces) {
      for (String pid : run(List.of("ip", "netns", "pids", n), Map.of()).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    for (Process p : processes) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String n : namespaces) {
      run(List.of("ip", "netns", "del", n), Map.of());
    }
  }
}
