package dev.redisha.control;

import dev.redisha.coordination.Decision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a takeover's event: each step's duration as before, and, when the decision says
 * when its evidence arrived, each step's end as milliseconds since that detection ({@code t_*_ms},
 * one decimal), with the evidence, the silence and the last answer before it as negative offsets.
 * bench/netns reads these to show where a failover's milliseconds go.
 */
final class StepClock {
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final boolean timed;
  /** Milliseconds from the detection to {@link #startNanos}. */
  private final double startOffsetMs;
  private final long startNanos;

  private StepClock(boolean timed, double startOffsetMs, long startNanos) {
    this.timed = timed;
    this.startOffsetMs = startOffsetMs;
    this.startNanos = startNanos;
  }

  /**
   * @param timing the decision's timing ({@link Decision.Timing#NONE}: durations only)
   * @param nowMillis the same monotonic clock the timing was taken on
   */
  static StepClock start(Decision.Timing timing, long nowMillis) {
    if (timing.detectedAt() < 0) {
      return new StepClock(false, 0, System.nanoTime());
    }
    long detected = timing.detectedAt();
    StepClock c = new StepClock(true, nowMillis - detected, System.nanoTime());
    c.fields.put("detected_wall_ms", System.currentTimeMillis() - (nowMillis - detected));
    c.relative("t_evidence_ms", timing.evidenceAt(), detected);
    c.relative("t_silence_ms", timing.silenceAt(), detected);
    c.relative("t_last_answer_ms", timing.lastAnswerAt(), detected);
    c.relative("t_last_advert_ms", timing.lastAdvertAt(), detected);
    c.fields.put("t_decided_ms", (double) (nowMillis - detected));
    return c;
  }

  private void relative(String name, long at, long detected) {
    if (at >= 0) {
      fields.put(name, (double) (at - detected));
    }
  }

  /** A step that ended at {@code nanoTime}, as milliseconds since the detection. */
  void mark(String name, long nanoTime) {
    if (timed) {
      double ms = startOffsetMs + (nanoTime - startNanos) / 1e6;
      fields.put(name, Math.round(ms * 10) / 10.0);
    }
  }

  void put(String name, Object value) {
    fields.put(name, value);
  }

  Map<String, Object> fields() {
    return fields;
  }
}
