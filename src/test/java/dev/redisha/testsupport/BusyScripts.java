package dev.redisha.testsupport;

/** Lua that keeps Redis busy, for the tests of what the agent does with a BUSY Redis. */
public final class BusyScripts {
  /** Spins for ARGV[1] ms without writing, so SCRIPT KILL can stop it; returns 'ran to the end'. */
  public static final String SPIN = """
      local t = redis.call('TIME')
      local start = t[1] * 1000 + math.floor(t[2] / 1000)
      while true do
        local n = redis.call('TIME')
        if n[1] * 1000 + math.floor(n[2] / 1000) - start > tonumber(ARGV[1]) then break end
      end
      return 'ran to the end'
      """;

  private BusyScripts() {}
}
