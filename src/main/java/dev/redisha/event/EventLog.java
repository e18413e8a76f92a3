package dev.redisha.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's record of what it did and why: one JSON object per line in
 * {@code <state_dir>/events.jsonl}, the last few events in memory for the status page, and a
 * one-line summary in the application log.
 *
 * <p>Appending never throws. The log explains a failover; it must not be able to stop one, so a
 * full or broken disk costs the file line (the event still reaches memory and SLF4J) and is
 * reported once per run of failures rather than once per event.
 *
 * <p>The file line and the application log line are written by one thread of the log's own, in
 * the order of appending: on the takeover path an append was measured at 2–60 ms of wall time
 * (Jackson, the console appender, the write), paid by the decision loop between the decision and
 * the promotion, and again between the VIP's address and its endpoint being done. (With 10,000
 * lines already waiting, the appending thread writes its own line at once, ahead of them.) Memory (the
 * status page) and the listeners (metrics) are updated before {@link #append} returns, and
 * {@link #close} writes everything appended before it.
 */
public final class EventLog implements AutoCloseable {
  public static final String FILE_NAME = "events.jsonl";
  public static final int DEFAULT_RECENT = 200;

  private static final Logger log = LoggerFactory.getLogger(EventLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final int recentCapacity;
  private final ArrayDeque<Event> recent;
  private final OutputStream out;
  private boolean closed;
  // After a failed write the file may end in half a line; the next line starts with a newline so
  // the torn line stays alone (readers skip blank and unparsable lines) instead of corrupting it.
  private boolean lastWriteFailed;
  private final java.util.List<java.util.function.Consumer<Event>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Bounded so a wedged disk cannot fill the heap: past it, the appending thread writes itself. */
  private final BlockingQueue<Event> unwritten = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread writer;

  private static final int QUEUE_CAPACITY = 10_000;
  private static final long CLOSE_WAIT_MS = 5_000;
  /** Queued by close after the last event: the writer stops when it takes it. */
  private static final Event END = new Event(java.time.Instant.EPOCH, "", "end-of-log", "", 0);

  private EventLog(Path file, int recentCapacity, OutputStream out) {
    this.file = file;
    this.recentCapacity = recentCapacity;
    this.recent = new ArrayDeque<>(recentCapacity);
    this.out = out;
    this.writer = new Thread(this::writeQueued, "event-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens {@code <stateDir>/events.jsonl} for appending and keeps the last 200 events. */
  public static EventLog openInStateDir(Path stateDir) throws IOException {
    return open(stateDir.resolve(FILE_NAME), DEFAULT_RECENT);
  }

  /**
   * Opens (or creates) {@code file} for appending. Opening does throw: an agent that cannot
   * create its event log at start has a broken state dir and should say so before it acts.
   */
  public static EventLog open(Path file, int recentCapacity) throws IOException {
    if (recentCapacity < 1) {
      throw new IllegalArgumentException("recentCapacity must be >= 1, got " + recentCapacity);
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    // Created 0600 (causes may name hosts, users and paths); an existing file keeps the mode an
    // operator gave it, for a log shipper's group for instance.
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (java.nio.file.FileAlreadyExistsException exists) {
      // appended to below
    }
    // O_APPEND, unbuffered: each line reaches the OS in one write() as soon as it is appended,
    // and an external `logrotate copytruncate` does not leave a hole at the old offset.
    OutputStream out =
        Files.newOutputStream(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return new EventLog(file, recentCapacity, out);
  }

  /** Hands every appended event to {@code listener} (metrics); it must be quick and not throw. */
  public void subscribe(java.util.function.Consumer<Event> listener) {
    listeners.add(listener);
  }

  /** Records {@code event}. Never throws for I/O trouble; see the class comment. */
  public synchronized void append(Event event) {
    recent.addLast(event);
    if (recent.size() > recentCapacity) {
      recent.removeFirst();
    }
    if (closed) {
      logLine(event);
      log.warn("event log {} is closed; {} event kept in memory only", file, event.type());
    } else if (!unwritten.offer(event)) {
      record(event);
    }
    for (java.util.function.Consumer<Event> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        // A metrics bug must not cost the event log (or the failover that is appending).
        log.warn("event listener failed on {}: {}", event.type(), e.toString());
      }
    }
  }

  /** The most recent events, oldest first; a snapshot the caller may keep. */
  public synchronized List<Event> recent() {
    return List.copyOf(recent);
  }

  /** The file the events are appended to. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // Everything appended before close reaches the file; append no longer queues once closed.
    try {
      unwritten.put(END);
      writer.join(CLOSE_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      log.warn("event log {}: the writer did not finish within {} ms; {} events not written", file, CLOSE_WAIT_MS,
          unwritten.size());
    }
    synchronized (out) {
      try {
        out.close();
      } catch (IOException e) {
        log.warn("closing event log {} failed: {}", file, e.toString());
      }
    }
  }

  private void writeQueued() {
    while (true) {
      Event e;
      try {
        e = unwritten.take();
      } catch (InterruptedException interrupted) {
        return;
      }
      if (e == END) {
        return;
      }
      record(e);
    }
  }

  private void record(Event event) {
    logLine(event);
    synchronized (out) {
      writeLine(event);
    }
  }

  private static void logLine(Event event) {
    log.info(
        "event {} epoch={}: {}{}",
        event.type(),
        event.epoch(),
        event.cause(),
        event.fields().isEmpty() ? "" : " " + event.fields());
  }

  private void writeLine(Event event) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      log.warn("{} event not written, a field has no JSON form: {}", event.type(), e.toString());
      return;
    }
    byte[] line = new byte[json.length + (lastWriteFailed ? 2 : 1)];
    int at = 0;
    if (lastWriteFailed) {
      line[at++] = '\n';
    }
    System.arraycopy(json, 0, line, at, json.length);
    line[line.length - 1] = '\n';
    try {
      out.write(line);
      out.flush();
      if (lastWriteFailed) {
        log.info("event log {} is writable again", file);
      }
      lastWriteFailed = false;
    } catch (IOException e) {
      if (!lastWriteFailed) {
        log.error(
            "cannot write event log {} ({}); events stay in memory and in this log until it"
                + " recovers",
            file,
            e.toString());
      }
      lastWriteFailed = true;
    }
  }
}
